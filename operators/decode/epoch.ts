// A decode session's epoch: minted when a session object is created (a worker start, a replica, a redeploy), so
// (camera, epoch, seq) never names two different frames. Why not keep `seq` in a changelog instead: a source has no
// input partition to scope state by, and persisting a counter would cost a durable write per frame (or a block
// reservation protocol) on the device tier, while a fresh epoch costs nothing and orders sessions by time.
import { randomBytes } from 'node:crypto';

/** Base-36 milliseconds (sorts by time within the same length) and 48 random bits against clock ties and skew. */
export function mintEpoch(now = Date.now()): string {
  return `${now.toString(36).padStart(9, '0')}-${randomBytes(6).toString('hex')}`;
}
