/** The load the org-wide issue asks about, shared by the bench's processes. */

export const INSTALLATIONS = Array.from({ length: 10 }, (_, i) => 101 + i);
export const BURSTING = INSTALLATIONS[0] as number;

/** Each installation is an organisation with one repository. */
export const repoOf = (installation: number): string => `org-${installation}/service`;

export interface Delivery {
  seq: number;
  installation: number;
  /** The PR the `synchronize` is for (one PR per delivery). */
  number: number;
  /** When to send it, in ms after the run starts. */
  at: number;
  burst: boolean;
}

export interface LoadShape {
  total: number;
  /** Deliveries the bursting installation sends all at once, at `burstAt`. */
  burst: number;
  burstAt: number;
  /** The other installations spread the rest evenly over this window, each at a steady pace. */
  trickleWindow: number;
}

/**
 * One installation bursts while the nine others trickle: the trickle starts
 * before the burst and keeps going well after it, so every installation has
 * deliveries in flight while the burst is queued.
 */
export function schedule(shape: LoadShape): Delivery[] {
  const deliveries: Delivery[] = [];
  const number = new Map<number, number>();
  const add = (installation: number, at: number, burst: boolean) => {
    const next = (number.get(installation) ?? 0) + 1;
    number.set(installation, next);
    deliveries.push({ seq: 0, installation, number: next, at: Math.round(at), burst });
  };
  for (let i = 0; i < shape.burst; i++) add(BURSTING, shape.burstAt, true);
  const others = INSTALLATIONS.filter((id) => id !== BURSTING);
  const rest = shape.total - shape.burst;
  others.forEach((installation, index) => {
    const count = Math.floor(rest / others.length) + (index < rest % others.length ? 1 : 0);
    const interval = shape.trickleWindow / count;
    // Phases staggered so the nine trickles do not arrive in lockstep.
    const phase = (interval * index) / others.length;
    for (let k = 0; k < count; k++) add(installation, phase + k * interval, false);
  });
  deliveries.sort((a, b) => a.at - b.at || a.installation - b.installation);
  deliveries.forEach((delivery, index) => (delivery.seq = index + 1));
  return deliveries;
}
