package ai.candlefish.collab.examples.paintbox;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** Paintbox started in the test's JVM for a browser test: on 127.0.0.1, on free ports, with the test's data. */
final class LocalPaintbox {
  private LocalPaintbox() {}

  /** Starts Paintbox with its data in {@code dataDir} and the settings {@code more} ({@code --name=value}). */
  static ConfigurableApplicationContext start(Path dataDir, String... more) {
    List<String> args = new ArrayList<>(List.of("--server.port=0", "--server.address=127.0.0.1",
        "--candlefish.collab.port=0", "--candlefish.collab.host=127.0.0.1", "--paintbox.data-dir=" + dataDir));
    args.addAll(List.of(more));
    return new SpringApplicationBuilder(PaintboxApplication.class).run(args.toArray(String[]::new));
  }

  /** Where the pages of {@code app} are: {@code http://127.0.0.1:<port>/}. */
  static String base(ConfigurableApplicationContext app) {
    return "http://127.0.0.1:" + ((WebServerApplicationContext) app).getWebServer().getPort() + "/";
  }

  /** Where a browser test's script puts its screenshots, under {@code name}. */
  static String shots(String name) {
    return System.getProperty("screenshot.dir", "target/screenshots") + "/" + name;
  }
}
