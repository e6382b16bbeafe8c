package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Differential test of rich text against real Yjs: random sessions of two or three replicas that insert text and
 * embeds with attributes, format (attribute values of every JSON kind Yjs compares: strings, numbers past 2^31,
 * -0, NaN, arrays, objects, bytes, null to remove), delete and apply whole deltas (retain with attributes, delete,
 * insert), alone or several in one transaction, each Java replica twinned with a Yjs doc in {@code yjs-peer.mjs}.
 * After every step the update events are the same bytes, the deep observers saw the same events ({@code delta}
 * included), and {@code toDelta()} and {@code toString()} agree.
 *
 * <p>Seeded; a failure names its seed ({@code -Dyjs.richtext.seed=<seed> -Dyjs.richtext.runs=1} reruns it).
 */
@ExtendWith(YjsPeerExtension.class)
class RichTextDifferentialPropertyTest {
  private static final int RUNS = 60;
  private static final long BUDGET_MILLIS = 10_000;
  private static final Map<String, String> ROOTS = Map.of("t", "text");
  private static final String[] TEXTS = {"a", "bc", "x\n", "def"};

  private static YjsPeer peer; // started and closed by YjsPeerExtension

  private static final List<String> KEYS = List.of("bold", "color", "link", "size", "2"); // "2" comes first in an object

  @Test
  void randomSessions_formatAsYjs() {
    SeededRuns.named("yjs.richtext", 0x7E_47L, RUNS).within(BUDGET_MILLIS)
        .forEach((seed, run) -> new Run(seed, "rt" + run, KEYS).execute());
  }

  /**
   * Formats named {@code "__proto__"} beside others: Yjs keeps attributes in JavaScript objects, where that key reads
   * the prototype ({@code Object.prototype}, equal to any empty object, until an object value is copied in, whose
   * keys the attributes then inherit), so typing and formatting next to such a format do what Yjs's objects do.
   */
  @Test
  void protoKeySessions_formatAsYjs() {
    SeededRuns.named("yjs.richtext.proto", 0x9_7E47L, RUNS).within(BUDGET_MILLIS)
        .forEach((seed, run) -> new Run(seed, "rtp" + run, List.of("__proto__", "bold", "z")).execute());
  }

  @Test
  void xmlTextFormatting_printsAsYjs() {
    // XmlText.toString() writes each attribute as a tag whose own attributes are what for...in enumerates of the
    // value: an object's entries, a string's characters, an array's or a Uint8Array's elements, nothing else.
    List<Object> values = List.of("ab", 7, true, List.of(1, "x"), Map.of("$type", "bytes", "base64", "AQL/"),
        Map.of("z", 1, "a", List.of(2, 3)), Map.of("$type", "number", "value", "-0"), 3_000_000_000.0);
    List<Object> nodes = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      Map<String, Object> attrs = new LinkedHashMap<>();
      attrs.put("k" + i, values.get(i));
      attrs.put("b", true);
      nodes.add(Map.of("text", "t" + i, "attrs", attrs));
    }
    Map<String, Object> op = Map.of("op", "xmlInsert", "name", "x", "index", 0, "nodes", nodes);
    Doc doc = Doc.newBuilder().clientId(3).build();
    YjsInterop.apply(doc, op);
    peer.newDoc("xml-format", 3, true, Map.of("x", "xml"));
    try {
      peer.apply("xml-format", op);
      Map<String, Object> yjs = peer.snapshot("xml-format", Map.of("x", "xml"));
      assertThat(doc.getXmlFragment("x").toString()).isEqualTo(YjsInterop.asMap(yjs.get("values")).get("x"));
      assertThat(YjsInterop.base64(doc.encodeStateAsUpdate()))
          .isEqualTo(YjsInterop.base64(peer.encodeStateAsUpdate("xml-format", null)));
    } finally {
      peer.drop("xml-format");
    }
  }

  /** Attribute values, tagged: each kind that Yjs's equalAttrs (=== or a flat comparison) treats its own way. */
  private static Object randomValue(SplittableRandom rnd) {
    return switch (rnd.nextInt(16)) {
      case 13 -> Map.of();
      case 14 -> Map.of("z", 1, "bold", true);
      case 15 -> List.of();
      case 0 -> null;
      case 1 -> true;
      case 2 -> "red";
      case 3 -> "blue";
      case 4 -> 1;
      case 5 -> 3_000_000_000.0; // a float64 on the wire, a number like any other in JavaScript
      case 6 -> Map.of("$type", "number", "value", "-0");
      case 7 -> 0;
      case 8 -> Map.of("$type", "number", "value", "NaN");
      case 9 -> List.of(1, "two");
      case 10 -> Map.of("href", "https://a");
      case 11 -> Map.of("$type", "bytes", "base64", "AQI=");
      default -> List.of(List.of(1));
    };
  }

  private static Map<String, Object> randomAttrs(SplittableRandom rnd, List<String> keys) {
    Map<String, Object> attrs = new LinkedHashMap<>();
    for (int i = rnd.nextInt(3); i >= 0; i--) {
      String key = keys.get(rnd.nextInt(keys.size()));
      Object value = randomValue(rnd);
      if (key.equals("__proto__") && value instanceof Map<?, ?> m && "bytes".equals(m.get("$type"))) {
        value = Map.of("z", 2); // a Uint8Array prototype breaks Yjs's own toJSON() of the delta
      }
      attrs.put(key, value);
    }
    return attrs;
  }

  private static final class Run {
    private final TwinSession session;
    private final SplittableRandom rnd;
    private final String prefix;
    private final List<String> keys;

    Run(long seed, String prefix, List<String> keys) {
      this.session = new TwinSession(peer, seed, ROOTS, (t, when) -> { });
      this.rnd = session.rnd;
      this.prefix = prefix;
      this.keys = keys;
    }

    void execute() {
      boolean gc = rnd.nextBoolean();
      for (int i = 0, n = 2 + rnd.nextInt(2); i < n; i++) {
        session.add(prefix + "-" + i, 10 + i * 7 + rnd.nextInt(5), gc);
      }
      session.run(20 + rnd.nextInt(40), 55, this::localEdit);
    }

    private void localEdit(TwinSession.Twin r) {
      Map<String, Object> op;
      if (rnd.nextInt(6) == 0) {
        List<Object> ops = new ArrayList<>();
        r.doc.transact(txn -> {
          for (int i = 2 + rnd.nextInt(3); i > 0; i--) {
            Map<String, Object> inner = randomOp(r.doc.getText("t").length());
            YjsInterop.apply(r.doc, inner);
            ops.add(inner);
          }
        });
        op = new LinkedHashMap<>();
        op.put("op", "transact");
        op.put("ops", ops);
      } else if (rnd.nextInt(5) == 0) {
        op = randomDelta(r.doc.getText("t").length());
        YjsSurfacePropertyTest.applySurfaceOp(r.doc, op);
      } else {
        op = randomOp(r.doc.getText("t").length());
        YjsInterop.apply(r.doc, op);
      }
      session.applied(r, op);
    }

    private Map<String, Object> randomOp(int length) {
      Map<String, Object> op = new LinkedHashMap<>();
      op.put("name", "t");
      int dice = rnd.nextInt(100);
      if (dice < 30 || length == 0) {
        op.put("op", "insertText");
        op.put("index", rnd.nextInt(length + 3)); // past the end: Yjs appends
        op.put("text", TEXTS[rnd.nextInt(TEXTS.length)]);
        if (rnd.nextInt(3) != 0) {
          op.put("attrs", randomAttrs(rnd, keys));
        }
      } else if (dice < 40) {
        op.put("op", "insertEmbed");
        op.put("index", rnd.nextInt(length + 1));
        op.put("embed", rnd.nextBoolean() ? Map.of("image", "i.png") : Map.of("formula", List.of("x", 2)));
        if (rnd.nextBoolean()) {
          op.put("attrs", randomAttrs(rnd, keys));
        }
      } else if (dice < 75) {
        int index = rnd.nextInt(length);
        op.put("op", "formatText");
        op.put("index", index);
        op.put("len", 1 + rnd.nextInt(length - index));
        op.put("attrs", randomAttrs(rnd, keys));
      } else {
        int index = rnd.nextInt(length + 1);
        op.put("op", "deleteText");
        op.put("index", index);
        op.put("len", 1 + rnd.nextInt(4)); // past the end: Yjs deletes what there is
      }
      return op;
    }

    /** A whole delta: retains (some formatting), deletes and inserts (some with attributes, some embeds). */
    private Map<String, Object> randomDelta(int length) {
      List<Object> delta = new ArrayList<>();
      int left = length;
      for (int i = 1 + rnd.nextInt(4); i > 0; i--) {
        Map<String, Object> d = new LinkedHashMap<>();
        int dice = rnd.nextInt(3);
        // Retains and deletes may reach past the end: Yjs appends newlines, or deletes what there is.
        if (dice == 0) {
          int n = rnd.nextInt(left + 2); // 0 too: Yjs applies a zero retain's attributes as format marks
          d.put("retain", n);
          left = Math.max(0, left - n);
          if (rnd.nextBoolean()) {
            d.put("attributes", randomAttrs(rnd, keys));
          }
        } else if (dice == 1 && (left > 0 || delta.stream().anyMatch(o -> !Integer.valueOf(0).equals(((Map<?, ?>) o).get("retain"))))) {
          // (Yjs throws a TypeError for a delete at the start of a text that never held anything; a zero retain
          // adds nothing to it.)
          int n = 1 + rnd.nextInt(Math.min(3, left + 1));
          d.put("delete", n);
          left = Math.max(0, left - n);
        } else {
          d.put("insert", rnd.nextInt(4) == 0 ? Map.of("image", "d.png") : TEXTS[rnd.nextInt(TEXTS.length)]);
          if (rnd.nextBoolean()) {
            d.put("attributes", randomAttrs(rnd, keys));
          }
        }
        delta.add(d);
      }
      Map<String, Object> op = new LinkedHashMap<>();
      op.put("op", "applyDelta");
      op.put("name", "t");
      op.put("delta", delta);
      op.put("sanitize", rnd.nextBoolean());
      return op;
    }
  }
}
