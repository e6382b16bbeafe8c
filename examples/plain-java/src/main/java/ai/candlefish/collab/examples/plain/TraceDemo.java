package ai.candlefish.collab.examples.plain;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.YText;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Collaboration in plain Java, no server: a real editing trace is typed into document A, and every update A
 * emits is applied to document B, as a network would carry it. At the end both hold the same text, the same
 * state and exactly the text the author ended with. Then both edit at once, offline, and merge.
 *
 * <p>Run: {@code ./mvnw -q install -DskipTests && ./mvnw -q -pl examples/plain-java exec:java
 * -Dexec.mainClass=ai.candlefish.collab.examples.plain.TraceDemo -Dexec.args=testdata/traces}
 * (arguments: the traces directory, then optionally a trace name: {@code sveltecomponent} (default) or
 * {@code automerge-paper}, the ASCII traces, whose positions need no conversion from code points).
 */
public final class TraceDemo {
  private TraceDemo() {}

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args.length > 0 ? args[0] : "testdata/traces");
    String name = args.length > 1 ? args[1] : "sveltecomponent";
    Map<?, ?> trace = load(dir.resolve(name + ".json.gz"));
    List<?> txns = (List<?>) trace.get("txns");
    String expected = (String) trace.get("endContent");

    Doc a = Doc.newBuilder().clientId(1).build();
    Doc b = Doc.newBuilder().clientId(2).build();
    long[] updateBytes = {0};
    // The "network": every update A produces is applied to B right away.
    a.onUpdate((update, origin, txn) -> {
      updateBytes[0] += update.length;
      b.applyUpdate(update);
    });

    YText text = a.getText("text");
    long start = System.nanoTime();
    int edits = 0;
    for (Object t : txns) {
      List<?> patches = (List<?>) ((Map<?, ?>) t).get("patches");
      edits += patches.size();
      // One document transaction per recorded transaction: one update per keystroke (or paste).
      a.transact(txn -> {
        for (Object p : patches) {
          apply(text, (List<?>) p);
        }
      });
    }
    double millis = (System.nanoTime() - start) / 1e6;

    byte[] state = a.encodeStateAsUpdate();
    boolean converged = text.toString().equals(b.getText("text").toString())
        && Arrays.equals(state, b.encodeStateAsUpdate())
        && Arrays.equals(a.encodeStateVector(), b.encodeStateVector());
    // A demo program prints to the console; library code logs through SLF4J.
    System.out.printf("trace %s: %d edits in %d transactions, replayed in %.1f ms with B following%n", name,
        edits, txns.size(), millis);
    System.out.printf("updates sent: %d bytes; final state: %d bytes for %d characters%n", updateBytes[0],
        state.length, text.length());
    System.out.printf("A == B: %s; A == the author's final text: %s%n", converged, text.toString().equals(expected));

    // Offline edits on both sides, then an exchange of state vectors and diffs: the CRDT merges them.
    Doc c = Doc.newBuilder().clientId(3).build();
    c.applyUpdate(state);
    b.getText("text").insert(0, "/* edited by B */\n");
    c.getText("text").insert(c.getText("text").length(), "\n// edited by C\n");
    c.applyUpdate(b.encodeStateAsUpdate(c.encodeStateVector()));
    b.applyUpdate(c.encodeStateAsUpdate(b.encodeStateVector()));
    String merged = b.getText("text").toString();
    System.out.printf("concurrent edits merged: B == C: %s; starts with B's edit: %s; ends with C's edit: %s%n",
        merged.equals(c.getText("text").toString()), merged.startsWith("/* edited by B */"),
        merged.endsWith("// edited by C\n"));
    if (!converged || !text.toString().equals(expected)) {
      throw new IllegalStateException("documents did not converge to the trace's end content");
    }
  }

  /** Applies one patch {@code [position, deleteCount, insert]} (ASCII traces: positions are UTF-16 indices). */
  private static void apply(YText text, List<?> patch) {
    int pos = ((Number) patch.get(0)).intValue();
    int del = ((Number) patch.get(1)).intValue();
    String insert = (String) patch.get(2);
    if (del > 0) {
      text.delete(pos, del);
    }
    if (!insert.isEmpty()) {
      text.insert(pos, insert);
    }
  }

  private static Map<?, ?> load(Path file) throws IOException {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
      return new ObjectMapper().readValue(in, Map.class);
    }
  }
}
