package ai.candlefish.collab.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.client.ClientDocument;
import ai.candlefish.collab.client.CollabClient;
import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.StoredDocument;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The crash test: a server in its own JVM, storing in a real PostgreSQL, is killed with {@code kill -9} while three
 * clients write as fast as they can. After a restart, every update the server acknowledged before it died is
 * there, what is stored decodes, the clients (which kept editing while it was down) converge with it, and a new
 * client is served exactly that.
 */
class KillNineTest {
  private static final DocumentKey KEY = DocumentKey.of("crash", "ledger");
  private static final int WRITERS = 3;

  @Test
  void everyAcknowledgedUpdate_survivesKillNine() throws Exception {
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
      String url = pg.getJdbcUrl("postgres", "postgres");
      int port = freePort();
      Process server = startServer(url, port);
      Set<String> acknowledged = ConcurrentHashMap.newKeySet();
      List<CollabClient> clients = new ArrayList<>();
      List<ClientDocument> documents = new ArrayList<>();
      List<Thread> writers = new ArrayList<>();
      AtomicBoolean writing = new AtomicBoolean(true);
      try {
        for (int w = 0; w < WRITERS; w++) {
          CollabClient client = CollabClient.newBuilder().uri(URI.create("ws://127.0.0.1:" + port)).token("t")
              .reconnect(Duration.ofMillis(50), Duration.ofMillis(500)).build();
          client.connect().get(10, TimeUnit.SECONDS);
          clients.add(client);
          ClientDocument document = client.open(KEY.name()).get(10, TimeUnit.SECONDS);
          documents.add(document);
          String writer = "w" + w;
          Thread thread = new Thread(() -> write(document, writer, writing, acknowledged), writer);
          writers.add(thread);
          thread.start();
        }
        await("load before the crash").atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() >= 300);

        server.destroyForcibly(); // SIGKILL: no shutdown hook, no final store
        server.waitFor(10, TimeUnit.SECONDS);
        Set<String> acknowledgedBeforeTheCrash = Set.copyOf(acknowledged);
        Thread.sleep(300); // the writers go on offline

        server = startServer(url, port);
        Thread.sleep(500);
        writing.set(false);
        for (Thread t : writers) {
          t.join(10_000);
        }
        for (ClientDocument d : documents) {
          d.whenAcknowledged().get(30, TimeUnit.SECONDS);
        }

        String stored = storedText(url);
        for (String token : acknowledgedBeforeTheCrash) {
          assertThat(stored).as("acknowledged before the crash").contains("[" + token + "]");
        }
        for (String token : acknowledged) {
          assertThat(stored).as("acknowledged after the restart").contains("[" + token + "]");
        }
        await("the clients converge").atMost(Duration.ofSeconds(20))
            .until(() -> documents.stream().map(KillNineTest::text).distinct().count() == 1);
        assertThat(text(documents.get(0))).isEqualTo(stored);
        // A new client is served exactly what is stored.
        try (CollabClient fresh = CollabClient.newBuilder().uri(URI.create("ws://127.0.0.1:" + port)).token("t")
            .build()) {
          fresh.connect().get(10, TimeUnit.SECONDS);
          assertThat(text(fresh.open(KEY.name()).get(10, TimeUnit.SECONDS))).isEqualTo(stored);
        }
      } finally {
        writing.set(false);
        clients.forEach(CollabClient::close);
        server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /** Appends "[writer-n]" tokens, each in its own transaction, and records the acknowledged ones. */
  private static void write(ClientDocument document, String writer, AtomicBoolean writing, Set<String> acked) {
    for (int n = 0; writing.get(); n++) {
      String token = writer + "-" + n;
      document.edit(txn -> {
        var text = txn.doc().getText("t");
        text.insert(text.length(), "[" + token + "]");
      }).thenRun(() -> acked.add(token));
      if (document.unacknowledged() > 200) { // keep the backlog bounded while the server is down
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  private static String text(ClientDocument document) {
    synchronized (document.doc()) {
      return document.doc().getText("t").toString();
    }
  }

  /** What the database holds, read by a fresh store: it must decode. */
  private static String storedText(String url) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername("postgres");
    try (HikariDataSource dataSource = new HikariDataSource(config);
        JdbcDocumentStore store = JdbcDocumentStore.newBuilder(dataSource).build()) {
      StoredDocument stored = store.load(KEY);
      Doc doc = Doc.create();
      stored.updates().forEach(doc::applyUpdate);
      return doc.getText("t").toString();
    }
  }

  private static Process startServer(String url, int port) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process process = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
        CrashServerMain.class.getName(), url, Integer.toString(port))
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null && !line.equals("ready")) {
      // the server's own output before it listens
    }
    if (line == null) {
      throw new AssertionError("the server process ended before it listened: exit " + process.waitFor());
    }
    return process;
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
