/** What a CLI command may touch: two text streams and whether stderr is a terminal. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  isTTY: boolean;
}
