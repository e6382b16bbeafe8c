package example.notes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.client.ClientDocument;
import ai.candlefish.collab.client.CollabClient;
import ai.candlefish.collab.server.CollabServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The application as its users start it: two Java clients edit one note at once through its own port and end with
 * the same text, and Actuator reports the collaboration server and its meters.
 */
class NotesApplicationTest {
  private static final long WAIT_SECONDS = 60; // generous: CI machines are shared

  @Test
  void twoClients_editOneNote_throughTheApplicationsOwnPort_andActuatorSeesTheServer() throws Exception {
    try (ConfigurableApplicationContext app = SpringApplication.run(NotesApplication.class, "--server.port=0",
        "--server.address=127.0.0.1")) {
      assertThat(app.getBean(CollabServer.class).port()).as("no port of its own").isEqualTo(-1);
      int port = ((WebServerApplicationContext) app).getWebServer().getPort();
      URI uri = URI.create("ws://127.0.0.1:" + port + "/collab");
      try (CollabClient alice = CollabClient.newBuilder().uri(uri).build();
          CollabClient bob = CollabClient.newBuilder().uri(uri).build()) {
        alice.connect().get(WAIT_SECONDS, TimeUnit.SECONDS);
        bob.connect().get(WAIT_SECONDS, TimeUnit.SECONDS);
        ClientDocument a = alice.open("note-1").get(WAIT_SECONDS, TimeUnit.SECONDS);
        ClientDocument b = bob.open("note-1").get(WAIT_SECONDS, TimeUnit.SECONDS);

        a.edit(txn -> txn.doc().getText("body").insert(0, "Buy paint. ")).get(WAIT_SECONDS, TimeUnit.SECONDS);
        b.edit(txn -> txn.doc().getText("body").insert(0, "Call Bob. ")).get(WAIT_SECONDS, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(WAIT_SECONDS))
            .until(() -> text(a).length() == 21 && text(a).equals(text(b)));
        assertThat(text(a)).contains("Buy paint. ", "Call Bob. ");
      }

      String health = get(port, "/actuator/health");
      assertThat(health).contains("\"collab\":{\"status\":\"UP\"");
      assertThat(get(port, "/actuator/metrics")).contains("collab.documents.loaded");
    }
  }

  private static String text(ClientDocument document) {
    synchronized (document.doc()) {
      return document.doc().getText("body").toString();
    }
  }

  private static String get(int port, String path) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(path).isEqualTo(200);
    return response.body();
  }
}
