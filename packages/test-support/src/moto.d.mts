/** Whether moto_server (a Python tool, `pip install 'moto[server]'`) can run here. */
export declare function hasMotoServer(): boolean;

/** Starts moto_server on a free 127.0.0.1 port and waits until it answers; `stop()` ends it. */
export declare function startMotoServer(): Promise<{ origin: string; stop: () => Promise<void> }>;
