export declare const CHROMIUM: string;
export declare const CHROMIUM_ARGS: string[];
export declare function buildExplorer(outDir: string): Promise<void>;
export declare function serve(
  dir: string,
  base?: string,
): Promise<{ url: string; requests: string[]; close(): Promise<void> }>;
