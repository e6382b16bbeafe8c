package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Compares what ours and Yjs give for the same input: the same bytes (or, for other values, the same
 * {@code String.valueOf}), or a failure on both sides. Collects every difference, so that one run names them all.
 */
final class SameOutcomes {
  private final List<String> differences = new ArrayList<>();

  void same(String what, Supplier<?> ours, Supplier<?> theirs) {
    String a = outcome(ours);
    String b = outcome(theirs);
    if (!a.equals(b)) {
      differences.add(what + ": ours " + a + ", Yjs " + b);
    }
  }

  private static String outcome(Supplier<?> value) {
    try {
      Object v = value.get();
      return v instanceof byte[] bytes ? YjsInterop.base64(bytes) : String.valueOf(v);
    } catch (RuntimeException e) {
      return "fails";
    }
  }

  void assertNoDifferences() {
    assertThat(differences).as("ours and Yjs differ").isEmpty();
  }
}
