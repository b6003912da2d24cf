/**
 * Keeps sshd's replies from waiting on our delayed ACKs. sshd does not set
 * TCP_NODELAY on a connection that only forwards, so when the engine answers
 * in several writes, sshd holds each later small packet until the earlier
 * one is acknowledged (Nagle), and Linux delays that ACK by up to 40 ms when
 * we have nothing to send: one API call in two took ~48 ms instead of ~11 ms
 * (docs/benchmarks.md#docker-over-ssh). Sending an empty window adjustment
 * (a valid SSH message that changes nothing) as soon as data arrives carries
 * the ACK at once. At most one per turn of the event loop.
 */
import type { Socket } from "node:net";
import type { Client, ClientChannel } from "ssh2";

interface SshInternals {
  _protocol?: { channelWindowAdjust?: (recipient: number, amount: number) => void };
}
interface ChannelInternals {
  outgoing?: { id?: number; state?: string };
}

/** Calls from now on answer each burst of data from `socket` with an empty window adjustment on an open channel. */
export function nudgeAcks(socket: Socket, client: Client, channels: ReadonlySet<ClientChannel>): void {
  let pending = false;
  const send = () => {
    pending = false;
    const protocol = (client as unknown as SshInternals)._protocol;
    if (typeof protocol?.channelWindowAdjust !== "function" || socket.destroyed) return;
    for (const channel of channels) {
      const outgoing = (channel as unknown as ChannelInternals).outgoing;
      if (outgoing?.state === "open" && typeof outgoing.id === "number") {
        protocol.channelWindowAdjust(outgoing.id, 0);
        return;
      }
    }
  };
  socket.on("data", () => {
    if (pending) return;
    pending = true;
    setImmediate(send);
  });
}
