/**
 * The logger the proxy needs: the subset of pino's API it calls, so a pino
 * logger (or a child of one) fits and tests can pass `pino({ level: "silent" })`.
 */
export interface ProxyLog {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}
