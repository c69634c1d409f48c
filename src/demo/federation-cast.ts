import type { NodeApi } from './http-client.ts';
import { nodeApi } from './http-client.ts';
import { usccFor } from './names.ts';

// Who is who in the federation demo: each node's regulator, auditor and businesses, registered on their own node by
// its operator (the bootstrap admin) through the API, and the peering of every node with every other.

/** DemoNode is a node of the demo as the story needs it: where it is and who it is. */
export interface DemoNode {
  readonly key: string;
  readonly name: string;
  readonly region: string | null;
  readonly url: string;
  readonly origin: string;
  readonly logVkey: string;
  readonly witnessVkey: string;
  readonly adminToken: string;
}

/** Member is a party of the demo on its own node, with a token. */
export interface Member {
  readonly id: string;
  readonly token: string;
  readonly uscc: string;
  readonly name: { zh: string; en: string };
}

/** NodeCast is a node with its client and its parties, by the key the story and federation.json use. */
export interface NodeCast {
  readonly node: DemoNode;
  readonly api: NodeApi;
  readonly members: Record<string, Member>;
}

interface PartySpec {
  readonly key: string;
  readonly roles: readonly string[];
  readonly zh: string;
  readonly en: string;
  readonly level?: 'provincial' | 'national';
}

/** CITY is each node's capital, whose code starts its parties' credit codes. */
const CITY: Record<string, string> = { henan: '410100', hubei: '420100', zhejiang: '330100', national: '110100' };

/** CAST is who registers on which node; every node has a regulator and an auditor (who may read the log's tiles). */
export const CAST: Record<string, readonly PartySpec[]> = {
  henan: [
    {
      key: 'regulator',
      roles: ['regulator'],
      zh: '河南省市场监督管理局',
      en: 'Henan Administration for Market Regulation',
      level: 'provincial',
    },
    { key: 'auditor', roles: ['auditor'], zh: '河南省冷链追溯审计组', en: 'Henan Cold-Chain Trace Audit Office' },
    { key: 'customs', roles: ['customs'], zh: '郑州海关', en: 'Zhengzhou Customs' },
    {
      key: 'importer',
      roles: ['importer'],
      zh: '河南豫鑫进口食品有限公司',
      en: 'Henan Yuxin Imported Food Co., Ltd.',
    },
    {
      key: 'warehouse',
      roles: ['supervision_warehouse'],
      zh: '郑州航空港进口冷链食品集中监管仓',
      en: 'Zhengzhou Airport Imported Cold-Chain Supervision Warehouse',
    },
    {
      key: 'lab',
      roles: ['lab'],
      zh: '郑州海关技术中心实验室',
      en: 'Zhengzhou Customs Technical Center Laboratory',
    },
    { key: 'carrier', roles: ['carrier'], zh: '郑州顺冷物流有限公司', en: 'Zhengzhou Shunleng Logistics Co., Ltd.' },
  ],
  hubei: [
    {
      key: 'regulator',
      roles: ['regulator'],
      zh: '湖北省市场监督管理局',
      en: 'Hubei Administration for Market Regulation',
      level: 'provincial',
    },
    { key: 'auditor', roles: ['auditor'], zh: '湖北省冷链追溯审计组', en: 'Hubei Cold-Chain Trace Audit Office' },
    {
      key: 'wholesaler',
      roles: ['wholesaler', 'carrier'],
      zh: '武汉白沙洲鄂鲜冻品批发有限公司',
      en: 'Wuhan Baishazhou Exian Frozen Food Wholesale Co., Ltd.',
    },
  ],
  zhejiang: [
    {
      key: 'regulator',
      roles: ['regulator'],
      zh: '浙江省市场监督管理局',
      en: 'Zhejiang Administration for Market Regulation',
      level: 'provincial',
    },
    { key: 'auditor', roles: ['auditor'], zh: '浙江省冷链追溯审计组', en: 'Zhejiang Cold-Chain Trace Audit Office' },
    {
      key: 'wholesaler',
      roles: ['wholesaler'],
      zh: '杭州浙冷食品批发有限公司',
      en: 'Hangzhou Zheleng Food Wholesale Co., Ltd.',
    },
    { key: 'restaurant', roles: ['restaurant'], zh: '杭州老灶火锅店', en: 'Laozao Hotpot, Hangzhou' },
    { key: 'lab', roles: ['lab'], zh: '杭州市疾病预防控制中心检验所', en: 'Hangzhou CDC Laboratory' },
  ],
  national: [
    {
      key: 'regulator',
      roles: ['regulator'],
      zh: '国家市场监督管理总局',
      en: 'State Administration for Market Regulation',
      level: 'national',
    },
    { key: 'auditor', roles: ['auditor'], zh: '国家冷链追溯审计组', en: 'National Cold-Chain Trace Audit Office' },
  ],
};

/**
 * castNode registers the node's parties (CAST) through its API as its admin, with a token each. Credit codes differ
 * across the whole federation, as real ones do: a node refuses a peer's party whose code is one of its own.
 */
export async function castNode(node: DemoNode, serial: { n: number }): Promise<NodeCast> {
  const api = nodeApi(node.url);
  const members: Record<string, Member> = {};
  for (const p of CAST[node.key] ?? []) {
    const uscc = usccFor(CITY[node.key] ?? '110100', 'F', serial.n++);
    const party = await api.post('/v1/parties', node.adminToken, {
      uscc,
      name: { zh: p.zh, en: p.en },
      roles: p.roles,
      region: node.region ?? '110000',
      ...(p.level ? { level: p.level } : {}),
    });
    const token = await api.post(`/v1/parties/${party.id}/tokens`, node.adminToken, { label: 'coldtrace demo' });
    members[p.key] = { id: party.id, token: token.token, uscc, name: { zh: p.zh, en: p.en } };
  }
  return { node, api, members };
}

/**
 * peerAll makes every node a peer of every other (the provinces of each other and of the national node, the national
 * node of every province), each reading the other's tiles with the other's auditor token.
 */
export async function peerAll(casts: readonly NodeCast[]): Promise<void> {
  for (const from of casts)
    for (const to of casts) {
      if (from === to) continue;
      await from.api.post('/v1/federation/peers', from.node.adminToken, {
        name: to.node.name,
        ...(to.node.region ? { region: to.node.region } : {}),
        baseUrl: to.node.url,
        logVkey: to.node.logVkey,
        witnessVkey: to.node.witnessVkey,
        credential: to.members.auditor!.token,
      });
    }
}
