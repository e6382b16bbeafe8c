package ai.candlefish.collab.examples.modulepath;

import ai.candlefish.collab.client.ClientDocument;
import ai.candlefish.collab.client.CollabClient;
import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.server.DocumentHandle;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.InMemoryDocumentStore;
import ai.candlefish.collab.spi.Permission;
import ai.candlefish.collab.spi.Principal;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Starts a server, connects two clients to one document, lets both edit it at the same time and checks that both
 * and the server end with the same text; also that every library class came from its named module and that the
 * internal packages are closed to this module. Exits with status 1 on any failure.
 */
public final class ModulePathDemo {
  private static final Duration WAIT = Duration.ofSeconds(60); // generous: CI machines are shared

  private ModulePathDemo() {}

  /**
   * Runs the check.
   *
   * @param args not used
   * @throws Exception when the server or a client fails
   */
  public static void main(String[] args) throws Exception {
    checkModules();
    CollabServer server = CollabServer.newBuilder().host("127.0.0.1").port(0)
        .documentStore(new InMemoryDocumentStore())
        .authenticator((token, connection) -> Principal.of(token, "demo", Permission.WRITE))
        .build().start();
    try {
      URI uri = URI.create("ws://127.0.0.1:" + server.port());
      try (CollabClient alice = connect(uri, "alice"); CollabClient bob = connect(uri, "bob")) {
        ClientDocument a = alice.open("notes").get(WAIT.toSeconds(), TimeUnit.SECONDS);
        ClientDocument b = bob.open("notes").get(WAIT.toSeconds(), TimeUnit.SECONDS);
        CompletableFuture<Void> fromAlice = a.edit(txn -> a.doc().getText("t").insert(0, "Hello from Alice. "));
        CompletableFuture<Void> fromBob = b.edit(txn -> b.doc().getText("t").insert(0, "Hello from Bob. "));
        CompletableFuture.allOf(fromAlice, fromBob).get(WAIT.toSeconds(), TimeUnit.SECONDS);

        String onServer;
        try (DocumentHandle handle = server.openDocument(DocumentKey.of("demo", "notes")).join()) {
          onServer = handle.read(ModulePathDemo::text).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!(onServer.equals(text(a)) && onServer.equals(text(b))) && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        check(onServer.contains("Hello from Alice. ") && onServer.contains("Hello from Bob. "),
            "the server holds both edits: '" + onServer + "'");
        check(onServer.equals(text(a)) && onServer.equals(text(b)),
            "both clients converge on the server's text: '" + text(a) + "', '" + text(b) + "'");
        System.out.println("[module-path] converged on '" + onServer + "'");
      }
    } finally {
      server.close();
    }
  }

  private static CollabClient connect(URI uri, String token) throws Exception {
    CollabClient client = CollabClient.newBuilder().uri(uri).token(token).build();
    client.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    return client;
  }

  private static String text(ClientDocument document) {
    synchronized (document.doc()) {
      return text(document.doc());
    }
  }

  private static String text(Doc doc) {
    return doc.getText("t").toString();
  }

  /** On the class path every module is unnamed: this fails if the build ran the demo there by mistake. */
  private static void checkModules() {
    Module self = ModulePathDemo.class.getModule();
    check(self.isNamed() && System.getProperty("java.class.path", "").isEmpty(),
        "the demo runs as a named module with an empty class path, not '" + System.getProperty("java.class.path") + "'");
    for (Class<?> api : List.of(Doc.class, CollabServer.class, CollabClient.class)) {
      Module module = api.getModule();
      check(module.isNamed() && module.getDescriptor() != null && !module.getDescriptor().isAutomatic(),
          api.getName() + " comes from a named module, not " + module);
      System.out.println("[module-path] " + module.getName() + " exports " + module.getDescriptor().exports());
    }
    Module server = CollabServer.class.getModule();
    check(!server.isExported("ai.candlefish.collab.server.internal", self), "the server's internals are closed");
    check(!Doc.class.getModule().isExported("ai.candlefish.collab.core.internal.codec", self),
        "collab-core's codec is closed to applications");
    check(Doc.class.getModule().isExported("ai.candlefish.collab.core.internal.codec", server),
        "collab-core's codec is open to collab-netty (its DocumentExport writes Yjs's JSON with it)");
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      System.err.println("[module-path] FAILED: " + what);
      System.exit(1);
    }
  }
}
