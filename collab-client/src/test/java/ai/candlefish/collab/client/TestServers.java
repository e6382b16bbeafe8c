package ai.candlefish.collab.client;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.DocumentStore;
import ai.candlefish.collab.testkit.TestTokens;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A real server for client tests, and helpers to look at what it stored. */
final class TestServers {
  private TestServers() {}


  static CollabServer.Builder server(DocumentStore store, int port) {
    return CollabServer.newBuilder().host("127.0.0.1").port(port).documentStore(store).authenticator(TestTokens.TOKENS)
        .storeDebounce(Duration.ofMillis(20)).storeMaxWait(Duration.ofMillis(100))
        .storeRetryMax(Duration.ofMillis(200)).unloadDelay(Duration.ofMillis(100));
  }

  static URI uri(CollabServer server) {
    return URI.create("ws://127.0.0.1:" + server.port());
  }

  /** The text "t" of the document as the store holds it. */
  static String storedText(DocumentStore store, DocumentKey key) {
    Doc doc = Doc.create();
    for (byte[] update : store.load(key).updates()) {
      doc.applyUpdate(update);
    }
    return doc.getText("t").toString();
  }

  static String text(ClientDocument document) {
    synchronized (document.doc()) {
      return document.doc().getText("t").toString();
    }
  }

  /** A listener that records what it hears, in order. */
  static final class Recorder implements CollabClientListener {
    final List<String> events = new CopyOnWriteArrayList<>();

    @Override
    public void onConnected() {
      events.add("connected");
    }

    @Override
    public void onDisconnected(int code, String reason) {
      events.add("disconnected " + code);
    }

    @Override
    public void onDocumentRefused(String document, int code, String reason) {
      events.add("refused " + document + " " + code);
    }

    @Override
    public void onCustom(String document, String payload) {
      events.add("custom " + document + " " + payload);
    }
  }
}
