/**
 * The CRDT (Yjs 13.6 documents, updates, sync and awareness) and the storage and authentication SPI. No runtime
 * dependencies: JSpecify's nullness annotations are needed only by compilers.
 */
@SuppressWarnings("module") // the qualified export names collab-netty, which is built after this module
module ai.candlefish.collab.core {
  requires static org.jspecify;

  exports ai.candlefish.collab.core;
  exports ai.candlefish.collab.awareness;
  exports ai.candlefish.collab.sync;
  exports ai.candlefish.collab.spi;
  // Yjs-exact JSON (JSON.stringify of a document's content) for the server's DocumentExport; not API.
  exports ai.candlefish.collab.core.internal.codec to ai.candlefish.collab.netty;
}
