// What the event store holds, read straight from IndexedDB (not through the app): every
// event unpacked from its chunk, in position order, and the checks the multi-tab and
// crash specs make on them.

/** Counts, gaps and ids of the store behind `page`'s origin. */
export async function inspectStore(page) {
  return page.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('event-dojo');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction(['chunks', 'identities', 'meta']);
      const chunks = tx.objectStore('chunks').getAll();
      // Each event's identity (source and id) is indexed once.
      const identities = tx.objectStore('identities').index('identity').count();
      const head = tx.objectStore('meta').get('head');
      tx.oncomplete = () => {
        // One event per line of a chunk, each with its stream and version.
        const events = chunks.result.flatMap((c) => c.events.split('\n').map((line, i) => ({ position: c.first + i, ...JSON.parse(line) })));
        events.sort((x, y) => x.position - y.position);
        const byStream = {};
        for (const e of events) (byStream[e.streamid] ??= []).push(e.streamversion);
        db.close();
        resolve({
          count: events.length,
          head: head.result ?? 0,
          first: events[0]?.position,
          last: events.at(-1)?.position,
          identities: identities.result,
          gapless: events.every((e, i) => e.position === i + 1),
          streamsGapless: Object.values(byStream).every((v) => v.sort((x, y) => x - y).every((x, i) => x === i + 1)),
          ids: events.map((e) => e.id),
        });
      };
      tx.onerror = () => reject(tx.error);
    };
  }));
}
