import { EventEmitter } from 'node:events';

/** DomainEvent is something other parts of the node react to after it has committed. */
export type DomainEvent =
  | {
      type: 'sample.positive';
      lotId: string;
      sampleId: string;
      producerId: string;
      logIndex: number;
      at: number;
    }
  | {
      /** alert.created: an alert to partyId committed (app/alerts.ts announceAlerts); the alert row is the record. */
      type: 'alert.created';
      alertId: string;
      partyId: string;
    };

/**
 * EventBus delivers committed events in-process (the incident module subscribes to positive results).
 * Events are emitted only after their transaction commits, and the log entry is the durable record:
 * a subscriber that was down catches up from the log, not from the bus.
 */
export class EventBus {
  private readonly emitter = new EventEmitter();

  /** emit delivers e to every subscriber; a failing subscriber does not affect the writer. */
  emit(e: DomainEvent): void {
    for (const fn of this.emitter.listeners(e.type)) {
      try {
        (fn as (e: DomainEvent) => void)(e);
      } catch {
        // A subscriber's failure is its own; the write has already committed.
      }
    }
  }

  /** on subscribes fn to events of type, and returns the unsubscribe function. */
  on<T extends DomainEvent['type']>(type: T, fn: (e: Extract<DomainEvent, { type: T }>) => void): () => void {
    this.emitter.on(type, fn);
    return () => this.emitter.off(type, fn);
  }
}
