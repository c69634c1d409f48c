#!/usr/bin/env node
// ensure-chromium makes sure Debian's Chromium is there for the browser tests (pretest). On a Debian
// machine where we are root it installs the package; anywhere else it says what to do and fails, so a
// browser test is never silently skipped.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const BROWSER = process.env.COLDTRACE_CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(BROWSER)) {
  const root = process.getuid?.() === 0;
  if (!root || !existsSync('/usr/bin/apt-get')) {
    console.error(
      `ensure-chromium: ${BROWSER} is missing; install Debian's chromium (apt-get install chromium) or set COLDTRACE_CHROMIUM`,
    );
    process.exit(1);
  }
  console.error('ensure-chromium: installing Debian chromium for the browser tests…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
}
