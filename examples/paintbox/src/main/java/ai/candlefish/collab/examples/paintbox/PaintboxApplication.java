package ai.candlefish.collab.examples.paintbox;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/**
 * Paintbox: painting estimates that several people edit at once. An estimate is one collaborative document
 * ({@code estimate-<id>}) served by the collaboration server that {@code collab-spring-starter} starts with this
 * application; the page (React, Lexical, Yjs; bundled at build time into {@code static/}) edits it through
 * y-websocket, and {@link TotalsHooks} writes the totals back from the server.
 *
 * <p>Run: {@code ./mvnw -B -ntp -q -pl examples/paintbox spring-boot:run}, then open http://localhost:8080.
 */
@SpringBootApplication
@EnableConfigurationProperties(PaintboxProperties.class)
public class PaintboxApplication {
  /** The tenant of every Paintbox document (the development login puts it into each token). */
  public static final String TENANT = "paintbox";

  public static void main(String[] args) {
    SpringApplication.run(PaintboxApplication.class, args);
  }
}
