package ai.candlefish.collab.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * A real editing trace (testdata/traces), with its positions converted once, at load time, from code points to
 * the UTF-16 units that Yjs and our {@code YText} count.
 */
public final class Trace {
  /** The four traces of testdata/traces. */
  public static final List<String> NAMES = List.of("automerge-paper", "seph-blog1", "rustcode", "sveltecomponent");

  /** One edit: delete {@code deleteLength} units at {@code index}, then insert {@code insert} there. */
  public record Edit(int index, int deleteLength, String insert) {}

  private final String name;
  private final List<Edit[]> txns;
  private final String endContent;

  private Trace(String name, List<Edit[]> txns, String endContent) {
    this.name = name;
    this.txns = txns;
    this.endContent = endContent;
  }

  public String name() {
    return name;
  }

  /** The transactions, each a list of edits applied in order. */
  public List<Edit[]> txns() {
    return txns;
  }

  public String endContent() {
    return endContent;
  }

  public int editCount() {
    int n = 0;
    for (Edit[] t : txns) {
      n += t.length;
    }
    return n;
  }

  /** The first {@code count} transactions (for smoke runs). */
  public Trace prefix(int count) {
    return new Trace(name, txns.subList(0, Math.min(count, txns.size())), null);
  }

  /** Where the traces are: {@code -Dtraces.dir}, else testdata/traces of the working directory or its parent. */
  public static Path directory() {
    String configured = System.getProperty("traces.dir");
    if (configured != null) {
      return Path.of(configured);
    }
    Path here = Path.of("testdata/traces");
    return Files.isDirectory(here) ? here : Path.of("../testdata/traces");
  }

  public static Trace load(String name) {
    Path file = directory().resolve(name + ".json.gz");
    Map<?, ?> json;
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
      json = new ObjectMapper().readValue(in, Map.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read trace " + file, e);
    }
    // Code-point positions of the astral characters in the document so far: each shifts UTF-16 indices by one.
    List<Integer> astral = new ArrayList<>();
    List<Edit[]> txns = new ArrayList<>();
    for (Object t : (List<?>) json.get("txns")) {
      List<?> patches = (List<?>) ((Map<?, ?>) t).get("patches");
      Edit[] edits = new Edit[patches.size()];
      for (int i = 0; i < edits.length; i++) {
        List<?> patch = (List<?>) patches.get(i);
        int pos = ((Number) patch.get(0)).intValue();
        int del = ((Number) patch.get(1)).intValue();
        String ins = (String) patch.get(2);
        int before = 0;
        int within = 0;
        List<Integer> next = new ArrayList<>(astral.size() + 1);
        int insCodePoints = ins.codePointCount(0, ins.length());
        for (int a : astral) {
          if (a < pos) {
            before++;
            next.add(a);
          } else if (a < pos + del) {
            within++;
          } else {
            next.add(a - del + insCodePoints);
          }
        }
        int cp = 0;
        for (int k = 0; k < ins.length(); k += Character.charCount(ins.codePointAt(k)), cp++) {
          if (Character.isSupplementaryCodePoint(ins.codePointAt(k))) {
            next.add(pos + cp);
          }
        }
        next.sort(Integer::compare);
        astral = next;
        edits[i] = new Edit(pos + before, del + within, ins);
      }
      txns.add(edits);
    }
    return new Trace(name, List.copyOf(txns), (String) json.get("endContent"));
  }
}
