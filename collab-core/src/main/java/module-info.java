/**
 * The CRDT (Yjs 13.6 documents, updates, sync and awareness) and the storage and authentication SPI. No runtime
 * dependencies: JSpecify's nullness annotations are needed only by compilers.
 */
@SuppressWarnings("module") // the qualified exports name collab-netty and collab-client, built after this module
module ai.candlefish.collab.core {
  // Not `static transitive`, although javac's -Xlint:exports asks for it at every @Nullable in an API signature: then
  // a consumer's javac demands org.jspecify on its module path (examples/module-path fails with "module not found"),
  // and jspecify is `provided` here, so that collab-core has no runtime dependency. Same in every module.
  requires static org.jspecify;

  exports ai.candlefish.collab.core;
  exports ai.candlefish.collab.awareness;
  exports ai.candlefish.collab.sync;
  exports ai.candlefish.collab.spi;
  // Yjs-exact JSON (JSON.stringify of a document's content) for the server's DocumentExport; not API.
  exports ai.candlefish.collab.core.internal.codec to ai.candlefish.collab.netty;
  // Outside values escaped for log lines (LogText), for the server and the client; not API.
  exports ai.candlefish.collab.core.internal.text to ai.candlefish.collab.netty, ai.candlefish.collab.client,
      ai.candlefish.collab.spring;
}
