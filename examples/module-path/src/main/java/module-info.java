/** A consumer of the server and the client on the module path. */
module ai.candlefish.collab.examples.modulepath {
  requires ai.candlefish.collab.netty;
  requires ai.candlefish.collab.client;
}
