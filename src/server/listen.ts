import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ServeError } from "./errors.js";

/** Where `roleguard serve` listens: --port, else PORT, else 3000; HOST, else localhost (as `probot run`). */
export function listenAddress(options: { port?: number; host?: string }, env: NodeJS.ProcessEnv = process.env): { port: number; host: string } {
  const port = options.port ?? (env.PORT ? Number(env.PORT) : 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ServeError(`the port (${options.port !== undefined ? "--port" : "PORT"}) must be a whole number from 0 to 65535`);
  }
  return { port, host: options.host ?? env.HOST ?? "localhost" };
}

/** Listens, turning the usual failures (port taken, no permission, unknown host) into a ServeError. Resolves to the bound port. */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const why =
        error.code === "EADDRINUSE"
          ? "is already in use (another roleguard or program is listening there)"
          : error.code === "EACCES"
            ? "needs privileges this user does not have"
            : `cannot be opened (${error.code ?? error.message})`;
      reject(new ServeError(`${host}:${port} ${why}: set --port or PORT, or HOST`));
    };
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
