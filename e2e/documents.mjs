// Reads what the app saved under `name` in IndexedDB's `documents` store (JSON text).
export async function savedDocument(page, name) {
  return page.evaluate(
    (key) =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('event-dojo');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const get = open.result.transaction('documents').objectStore('documents').get(key);
          get.onsuccess = () => {
            open.result.close();
            resolve(get.result);
          };
          get.onerror = () => reject(get.error);
        };
      }),
    name,
  );
}
