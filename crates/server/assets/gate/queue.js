// The gate's own records in IndexedDB: the passages waiting to be sent (`queue`, by client_id)
// and the passages this phone recorded (`log`), which the offline rules read for a pass shown
// twice and a household's quota. Entries of the log older than the longest quota are dropped.

const DB = 'gridwatch-gate';
const KEEP_MS = 8 * 86_400_000;

let opening = null;

function open() {
  opening ??= new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => {
      req.result.createObjectStore('queue', { keyPath: 'client_id' });
      req.result.createObjectStore('log', { keyPath: 'client_id' });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  return opening;
}

async function run(store, mode, act) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(store, mode);
    const req = act(tx.objectStore(store));
    tx.oncomplete = () => resolve(req?.result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

/** Queues a passage to send: { client_id, url, body }. */
export const enqueue = (item) => run('queue', 'readwrite', (s) => s.put(item));
export const dequeue = (clientId) => run('queue', 'readwrite', (s) => s.delete(clientId));
/** The queued passages, oldest first. */
export async function queued() {
  const all = (await run('queue', 'readonly', (s) => s.getAll())) || [];
  return all.sort((a, b) => a.body.at - b.body.at);
}
export const queueLength = () => run('queue', 'readonly', (s) => s.count());

/** Notes a passage of a pass: { client_id, gate_id, pass_id, household_id, direction, at, result }. */
export const remember = (entry) => run('log', 'readwrite', (s) => s.put(entry));

/** The passages this phone recorded, recent ones only. */
export async function recent(now = Date.now()) {
  const all = (await run('log', 'readonly', (s) => s.getAll())) || [];
  const old = all.filter((p) => p.at < now - KEEP_MS);
  if (old.length > 0) await run('log', 'readwrite', (s) => old.forEach((p) => s.delete(p.client_id)));
  return all.filter((p) => p.at >= now - KEEP_MS);
}
