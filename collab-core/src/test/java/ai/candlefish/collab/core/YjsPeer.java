package ai.candlefish.collab.core;

import ai.candlefish.collab.core.internal.codec.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real Yjs 13.6 running in Node ({@code src/test/js/yjs-peer.mjs}), holding any number of documents by id,
 * driven one JSON command per line. See the script's header for the commands; values travel as the tagged
 * JSON of {@link YjsInterop}, bytes as base64.
 *
 * <p>A command that Yjs rejects throws {@link PeerException} and leaves the peer running. One peer serves one
 * thread at a time (not thread-safe).
 */
final class YjsPeer implements AutoCloseable {
  /**
   * Only for a peer that hangs: a reply takes milliseconds, but at a load of 50 Node's start (its first reply)
   * took over 20 s.
   */
  private static final Duration REPLY_TIMEOUT = Duration.ofMinutes(2);
  private static final String EOF = "\u0000eof";
  private static final int STDERR_TAIL = 4096;

  private final Process process;
  private final Writer stdin;
  private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();
  private final StringBuilder stderrTail = new StringBuilder();

  /** Yjs rejected a command; the peer goes on. */
  static final class PeerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PeerException(String message) {
      super(message);
    }
  }

  private YjsPeer(Process process) {
    this.process = process;
    this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    daemon("yjs-peer-stdout", () -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          replies.add(line);
        }
      } catch (IOException ignored) {
        // the process went away
      }
      replies.add(EOF);
    });
    daemon("yjs-peer-stderr", () -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          synchronized (stderrTail) {
            stderrTail.append(line).append('\n');
            if (stderrTail.length() > STDERR_TAIL) {
              stderrTail.delete(0, stderrTail.length() - STDERR_TAIL);
            }
          }
        }
      } catch (IOException ignored) {
        // the process went away
      }
    });
  }

  /** Starts {@code node yjs-peer.mjs} and checks that it answers. */
  static YjsPeer start() {
    YjsPeer peer = new YjsPeer(NodeProcess.start("yjs-peer.mjs"));
    try {
      peer.request(command("version"));
    } catch (RuntimeException e) {
      peer.close();
      throw e;
    }
    return peer;
  }

  /** The Yjs version the peer runs. */
  String version() {
    return (String) request(command("version")).get("yjs");
  }

  /** Sends one command and returns its reply. */
  Map<String, Object> request(Map<String, Object> command) {
    String reply;
    try {
      stdin.write(Json.stringify(command));
      stdin.write('\n');
      stdin.flush();
      reply = replies.poll(REPLY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (IOException e) {
      throw new IllegalStateException("the Yjs peer is gone" + stderr(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for the Yjs peer", e);
    }
    if (reply == null) {
      throw new IllegalStateException("the Yjs peer did not answer " + command.get("op") + " within " + REPLY_TIMEOUT + stderr());
    }
    if (reply.equals(EOF)) {
      replies.add(EOF);
      throw new IllegalStateException("the Yjs peer exited" + stderr());
    }
    Map<String, Object> parsed = YjsInterop.asMap(Json.parse(reply));
    if (parsed.containsKey("error")) {
      throw new PeerException("Yjs: " + parsed.get("error"));
    }
    return parsed;
  }

  // ----------------------------------------------------------------------------------------------------------
  // Documents

  void newDoc(String id, long clientId, boolean gc) {
    newDoc(id, clientId, gc, Map.of());
  }

  /**
   * Creates doc id with its roots defined at once (name to "text", "array", "map" or "xml"), before any update
   * can reach them: see yjs-peer.mjs for why that matters to Yjs.
   */
  void newDoc(String id, long clientId, boolean gc, Map<String, String> roots) {
    newDoc(id, clientId, gc, roots, false);
  }

  /**
   * Like {@link #newDoc(String, long, boolean, Map)}; with {@code observe}, deep observers on the roots record
   * every event for {@code events} (observe the Java replica likewise: a text event's delta can change the doc).
   */
  void newDoc(String id, long clientId, boolean gc, Map<String, String> roots, boolean observe) {
    Map<String, Object> c = command("new", id);
    c.put("clientId", clientId);
    c.put("gc", gc);
    c.put("roots", new LinkedHashMap<>(roots));
    c.put("observe", observe);
    request(c);
  }

  void drop(String id) {
    request(command("drop", id));
  }

  /** Performs an operation of the shared vocabulary (values in tagged JSON) on doc id. */
  void apply(String id, Map<String, Object> op) {
    Map<String, Object> c = new LinkedHashMap<>(op);
    c.put("id", id);
    request(c);
  }

  void applyUpdate(String id, byte[] update) {
    applyUpdate(id, update, false);
  }

  /** {@code Y.applyUpdate}, or {@code Y.applyUpdateV2} if {@code v2}. */
  void applyUpdate(String id, byte[] update, boolean v2) {
    Map<String, Object> c = command("applyUpdate", id, v2);
    c.put("update", YjsInterop.base64(update));
    request(c);
  }

  /** The updates applied to doc id in one transaction (origin {@code 'remote'}), as a provider's batch would be. */
  void applyUpdatesInOneTransaction(String id, List<byte[]> updates) {
    Map<String, Object> c = command("applyUpdates", id);
    c.put("updates", updates.stream().map(YjsInterop::base64).toList());
    request(c);
  }

  /** {@code Y.encodeStateAsUpdate(doc, stateVector)}; stateVector may be null for everything. */
  byte[] encodeStateAsUpdate(String id, byte[] stateVector) {
    return encodeStateAsUpdate(id, stateVector, false);
  }

  /** {@code Y.encodeStateAsUpdate}, or {@code Y.encodeStateAsUpdateV2} if {@code v2}. */
  byte[] encodeStateAsUpdate(String id, byte[] stateVector, boolean v2) {
    Map<String, Object> c = command("encodeState", id, v2);
    if (stateVector != null) {
      c.put("stateVector", YjsInterop.base64(stateVector));
    }
    return YjsInterop.fromBase64(request(c).get("update"));
  }

  byte[] encodeStateVector(String id) {
    return YjsInterop.fromBase64(request(command("stateVector", id)).get("stateVector"));
  }

  /** The update events doc id emitted since the last call, in order. */
  List<byte[]> updates(String id) {
    return updates(id, false);
  }

  /** The 'update' events (or, if {@code v2}, the 'updateV2' events) doc id emitted since the last such call. */
  List<byte[]> updates(String id, boolean v2) {
    List<byte[]> out = new ArrayList<>();
    for (Object u : (List<?>) request(command("updates", id, v2)).get("updates")) {
      out.add(YjsInterop.fromBase64(u));
    }
    return out;
  }

  /** Whether doc id holds structs or a delete set waiting for missing dependencies. */
  boolean hasPending(String id) {
    return Boolean.TRUE.equals(request(command("pending", id)).get("pending"));
  }

  /** {@code {"values": {root: toJSON()}, "deltas": {textRoot: toDelta()}}} in tagged JSON. */
  Map<String, Object> snapshot(String id, Map<String, String> roots) {
    Map<String, Object> c = command("toJSON", id);
    c.put("roots", new LinkedHashMap<>(roots));
    return request(c);
  }

  // ----------------------------------------------------------------------------------------------------------
  // Update algebra

  byte[] mergeUpdates(List<byte[]> updates) {
    return mergeUpdates(updates, false);
  }

  /** {@code Y.mergeUpdates}, or {@code Y.mergeUpdatesV2} if {@code v2}. */
  byte[] mergeUpdates(List<byte[]> updates, boolean v2) {
    Map<String, Object> c = command("mergeUpdates", null, v2);
    List<Object> encoded = new ArrayList<>();
    for (byte[] u : updates) {
      encoded.add(YjsInterop.base64(u));
    }
    c.put("updates", encoded);
    return YjsInterop.fromBase64(request(c).get("update"));
  }

  byte[] diffUpdate(byte[] update, byte[] stateVector) {
    return diffUpdate(update, stateVector, false);
  }

  /** {@code Y.diffUpdate}, or {@code Y.diffUpdateV2} if {@code v2}. */
  byte[] diffUpdate(byte[] update, byte[] stateVector, boolean v2) {
    Map<String, Object> c = command("diffUpdate", null, v2);
    c.put("update", YjsInterop.base64(update));
    c.put("stateVector", YjsInterop.base64(stateVector));
    return YjsInterop.fromBase64(request(c).get("update"));
  }

  /** {@code Y.encodeStateVectorFromUpdate}, or {@code Y.encodeStateVectorFromUpdateV2} if {@code v2}. */
  byte[] stateVectorFromUpdate(byte[] update, boolean v2) {
    Map<String, Object> c = command("stateVectorFromUpdate", null, v2);
    c.put("update", YjsInterop.base64(update));
    return YjsInterop.fromBase64(request(c).get("stateVector"));
  }

  /** {@code Y.convertUpdateFormatV1ToV2} if {@code toV2}, else {@code Y.convertUpdateFormatV2ToV1}. */
  byte[] convertUpdate(byte[] update, boolean toV2) {
    Map<String, Object> c = command("convertUpdate");
    c.put("update", YjsInterop.base64(update));
    c.put("to", toV2 ? "v2" : "v1");
    return YjsInterop.fromBase64(request(c).get("update"));
  }

  /**
   * {@code Y.parseUpdateMeta}, or {@code Y.parseUpdateMetaV2} if {@code v2} (peer-surface.mjs); its maps keep Yjs's
   * order.
   */
  Updates.UpdateMeta parseUpdateMeta(byte[] update, boolean v2) {
    Map<String, Object> c = command(v2 ? "parseUpdateMetaV2" : "parseUpdateMeta");
    c.put("update", YjsInterop.base64(update));
    Map<String, Object> reply = request(c);
    return new Updates.UpdateMeta(clocks(reply.get("from")), clocks(reply.get("to")));
  }

  /** {@code Y.obfuscateUpdate} with its default options, or {@code Y.obfuscateUpdateV2} if {@code v2}. */
  byte[] obfuscateUpdate(byte[] update, boolean v2) {
    Map<String, Object> c = command(v2 ? "obfuscateUpdateV2" : "obfuscateUpdate");
    c.put("update", YjsInterop.base64(update));
    return YjsInterop.fromBase64(request(c).get("update"));
  }

  /** [[client, clock]...] as a map in that order. */
  private static Map<Long, Integer> clocks(Object entries) {
    Map<Long, Integer> out = new LinkedHashMap<>();
    for (Object e : (List<?>) entries) {
      List<?> pair = (List<?>) e;
      out.put(((Number) pair.get(0)).longValue(), ((Number) pair.get(1)).intValue());
    }
    return out;
  }

  @Override
  public void close() {
    try {
      stdin.write("{\"op\":\"quit\"}\n");
      stdin.flush();
      stdin.close();
    } catch (IOException ignored) {
      // already gone
    }
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  private static Map<String, Object> command(String op) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("op", op);
    return c;
  }

  private static Map<String, Object> command(String op, String id) {
    Map<String, Object> c = command(op);
    c.put("id", id);
    return c;
  }

  /** A command on doc id (none if null), asking for Yjs's V2 function if {@code v2}. */
  private static Map<String, Object> command(String op, String id, boolean v2) {
    Map<String, Object> c = id == null ? command(op) : command(op, id);
    if (v2) {
      c.put("v2", true);
    }
    return c;
  }

  private String stderr() {
    synchronized (stderrTail) {
      return stderrTail.length() == 0 ? "" : "; its stderr ends with:\n" + stderrTail;
    }
  }

  private static void daemon(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    t.start();
  }
}
