package ai.candlefish.collab.examples.plain;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * Serves the demo page from the classpath (built by esbuild into {@code static/}) with the JDK's own HTTP server,
 * and {@code config.json}, which tells the page where the WebSocket server is. A demo helper, not a web server.
 */
final class StaticSite implements AutoCloseable {
  private static final Map<String, String> TYPES = Map.of(
      "html", "text/html; charset=utf-8",
      "js", "text/javascript; charset=utf-8",
      "map", "application/json",
      "json", "application/json");

  private final HttpServer http;

  private StaticSite(HttpServer http) {
    this.http = http;
  }

  static StaticSite start(String host, int port, String root, int websocketPort) throws IOException {
    InetSocketAddress address = host == null ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
    HttpServer http = HttpServer.create(address, 0);
    http.setExecutor(Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "demo-http");
      t.setDaemon(true);
      return t;
    }));
    http.createContext("/", exchange -> {
      try (exchange) {
        serve(exchange, root, websocketPort);
      }
    });
    http.start();
    return new StaticSite(http);
  }

  private static void serve(HttpExchange exchange, String root, int websocketPort) throws IOException {
    String path = exchange.getRequestURI().getPath();
    if (!"GET".equals(exchange.getRequestMethod())) {
      send(exchange, 405, "text/plain", "GET only\n".getBytes(StandardCharsets.UTF_8));
      return;
    }
    if (path.equals("/config.json")) {
      // The page's own host name, so that the page works from another machine too.
      String json = "{\"websocketUrl\":\"ws://" + hostOf(exchange) + ":" + websocketPort + "\"}";
      send(exchange, 200, TYPES.get("json"), json.getBytes(StandardCharsets.UTF_8));
      return;
    }
    String file = path.equals("/") ? "index.html" : path.substring(1);
    if (file.contains("..") || file.contains("/") || !TYPES.containsKey(extension(file))) {
      send(exchange, 404, "text/plain", "not found\n".getBytes(StandardCharsets.UTF_8));
      return;
    }
    try (InputStream in = StaticSite.class.getResourceAsStream(root + "/" + file)) {
      if (in == null) {
        send(exchange, 404, "text/plain", "not found\n".getBytes(StandardCharsets.UTF_8));
        return;
      }
      send(exchange, 200, TYPES.get(extension(file)), in.readAllBytes());
    }
  }

  private static String hostOf(HttpExchange exchange) {
    String host = exchange.getRequestHeaders().getFirst("Host");
    if (host == null || !host.matches("[A-Za-z0-9.:\\[\\]-]{1,255}")) {
      return "localhost";
    }
    if (host.startsWith("[")) {
      return host.substring(0, host.indexOf(']') + 1);
    }
    int colon = host.indexOf(':');
    return colon < 0 ? host : host.substring(0, colon);
  }

  private static String extension(String file) {
    int dot = file.lastIndexOf('.');
    return dot < 0 ? "" : file.substring(dot + 1);
  }

  private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.getResponseHeaders().set("Cache-Control", "no-cache");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  int port() {
    return http.getAddress().getPort();
  }

  @Override
  public void close() {
    http.stop(0);
  }
}
