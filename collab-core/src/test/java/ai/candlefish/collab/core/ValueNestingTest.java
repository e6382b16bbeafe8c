package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.candlefish.collab.awareness.Awareness;
import ai.candlefish.collab.core.internal.codec.Json;
import ai.candlefish.collab.core.internal.codec.Lib0Decoder;
import ai.candlefish.collab.core.internal.codec.Lib0Encoder;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Values nested as deep as the limit allows ({@link Lib0Decoder#MAX_DEPTH}) pass every path that walks them on a
 * thread with a small stack (256 KiB, as -Xss256k; where some containers and thread pools run), and one level more is refused
 * with a clear error, never a {@code StackOverflowError}.
 */
class ValueNestingTest {
  private static final long SMALL_STACK = 256 * 1024;

  /** {@code depth} lists and maps inside each other around a string. */
  private static Object nested(int depth) {
    Object v = "leaf";
    for (int i = 0; i < depth; i++) {
      v = i % 2 == 0 ? List.of(v) : Map.of("k", v);
    }
    return v;
  }

  /**
   * Runs {@code body} on a thread with a small stack and rethrows what it threw (a StackOverflowError too). It runs
   * once on this thread first: loading classes needs more stack than any walk of a value.
   */
  private static void onSmallStack(Runnable body) throws Exception {
    body.run();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread t = new Thread(null, () -> {
      try {
        body.run();
      } catch (Throwable e) {
        failure.set(e);
      }
    }, "small-stack", SMALL_STACK);
    t.start();
    t.join();
    if (failure.get() instanceof Error e) {
      throw e;
    }
    if (failure.get() instanceof Exception e) {
      throw e;
    }
  }

  @Test
  void valuesAtTheLimit_passEveryPathOnASmallStack() throws Exception {
    onSmallStack(() -> {
      Object value = nested(Lib0Decoder.MAX_DEPTH);
      Doc a = Doc.create();
      a.getMap("m").set("v", value);
      a.getArray("a").insert(0, List.of(value));
      a.getText("t").insert(0, "x", Map.of("f", value));
      Doc b = Doc.create();
      b.applyUpdate(a.encodeStateAsUpdate());
      assertThat(b.getMap("m").get("v")).isEqualTo(value);
      assertThat(b.getArray("a").toJson().hashCode()).isEqualTo(a.getArray("a").toJson().hashCode());
      assertThat(b.getText("t").toDelta().toString()).contains("leaf");

      Lib0Encoder out = new Lib0Encoder();
      out.writeAny(value);
      assertThat(new Lib0Decoder(out.toByteArray()).readAny()).isEqualTo(value);
      assertThat(Json.parse(Json.stringify(value))).isEqualTo(value);

      Awareness server = new Awareness(1, () -> 0);
      Awareness client = new Awareness(2, () -> 0);
      client.setLocalState(value);
      server.applyUpdate(client.encodeUpdate(), null);
      assertThat(server.states().get(2L).toString()).contains("leaf");
    });
  }

  @Test
  void valuesBeyondTheLimit_areRefusedOnASmallStack() throws Exception {
    onSmallStack(() -> {
      Object value = nested(Lib0Decoder.MAX_DEPTH + 2);
      assertThatThrownBy(() -> Doc.create().getMap("m").set("v", value))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nested deeper");
      assertThatThrownBy(() -> Json.stringify(value))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nested deeper");
      StringBuilder json = new StringBuilder();
      json.append("[".repeat(Lib0Decoder.MAX_DEPTH + 2)).append("]".repeat(Lib0Decoder.MAX_DEPTH + 2));
      assertThatThrownBy(() -> Json.parse(json.toString()))
          .isInstanceOf(DecodingException.class).hasMessageContaining("nested deeper");
      byte[] deep = new byte[2 * (Lib0Decoder.MAX_DEPTH + 2)];
      for (int i = 0; i < deep.length; i += 2) {
        deep[i] = 117; // an array
        deep[i + 1] = 1; // of one element
      }
      assertThatThrownBy(() -> new Lib0Decoder(deep).readAny())
          .isInstanceOf(DecodingException.class).hasMessageContaining("nested deeper");
    });
  }
}
