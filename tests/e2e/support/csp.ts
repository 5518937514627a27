import type { BrowserContext, ConsoleMessage } from 'playwright-core';

/** One Content-Security-Policy violation as the page saw it (a `securitypolicyviolation` event). */
export interface Violation {
  directive: string;
  blocked: string;
  page: string;
  sample: string;
}

/**
 * Everything in a browser context that says the Content-Security-Policy blocked something:
 * `securitypolicyviolation` events of every page (through a binding, so navigations lose
 * nothing) and the console messages Chromium writes for them. Violations inside a worker
 * reach only the server's report endpoint (`gridwatch_csp_violations_total`).
 */
export class CspWatch {
  readonly violations: Violation[] = [];
  readonly consoleMessages: string[] = [];

  async attach(context: BrowserContext): Promise<void> {
    await context.exposeBinding('__gwCspViolation', (_source, v: Violation) => {
      this.violations.push(v);
    });
    await context.addInitScript(() => {
      document.addEventListener(
        'securitypolicyviolation',
        (e) => {
          (window as unknown as { __gwCspViolation(v: unknown): void }).__gwCspViolation({
            directive: e.effectiveDirective,
            blocked: e.blockedURI,
            page: e.documentURI,
            sample: e.sample,
          });
        },
        true,
      );
    });
    const onConsole = (msg: ConsoleMessage) => {
      if (/Content Security Policy|Refused to (load|execute|apply|connect|create|frame)/i.test(msg.text()))
        this.consoleMessages.push(`${msg.type()}: ${msg.text()}`);
    };
    for (const page of context.pages()) page.on('console', onConsole);
    context.on('page', (page) => page.on('console', onConsole));
  }
}

/** The total of `gridwatch_csp_violations_total` on a running server (0 when none was reported). */
export async function reportedViolations(baseUrl: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  let total = 0;
  for (const m of text.matchAll(/^gridwatch_csp_violations_total\{[^}]*\} (\d+)$/gm)) total += Number(m[1]);
  return total;
}
