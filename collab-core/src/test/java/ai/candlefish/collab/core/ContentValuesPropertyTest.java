package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.core.internal.codec.Lib0Decoder;
import ai.candlefish.collab.core.internal.codec.Lib0Encoder;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * {@link ContentValues}'s primitive arrays against the simplest model: a list of the boxed values. Runs of numbers at
 * the edges of lib0's encodings (31 bits, {@code Integer.MIN_VALUE}, float32-exact, -0, NaN, infinities, 2^53) mixed
 * with other values are split, merged (across int, double and object arrays) and copied at random; after every
 * step each content must give back exactly the model's values (same classes, same numbers, -0 and NaN included) and
 * write exactly the bytes that {@code writeAny} of the model's values writes, in v1 and v2, from any offset. Reading
 * values from lib0 bytes must give {@code readAny}'s values and end at the same offset.
 *
 * <p>Seeded ({@link SeededRuns}); a failure names its seed and how to rerun it alone.
 */
class ContentValuesPropertyTest {
  private static final int RUNS = 300;

  /** Numbers that sit on the boundaries between lib0's encodings and Java's boxes. */
  private static final List<Object> EDGE_NUMBERS = List.of(0, 1, -1, 127, 128, -129, 0x3FFF_FFFF, -0x4000_0000,
      Integer.MAX_VALUE, -Integer.MAX_VALUE, Integer.MIN_VALUE, -0.0, 0.5, -2.5, 0.1, 1e300, -1e-300, Double.NaN,
      Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 2147483648.0, -2147483648.0, 4294967296.0,
      9007199254740991.0, -9007199254740991.0, 9007199254740994.0, 1.0e20, 3.4028234663852886e38,
      (double) Float.MIN_VALUE, Double.MIN_VALUE);

  @Test
  void spliceMergeCopy_giveTheModelsValuesAndBytes() {
    SeededRuns.named("values", 0xC0_47E7L, RUNS).forEach((seed, run) -> new Run(new SplittableRandom(seed)).execute());
  }

  @Test
  void read_givesReadAnysValuesAndOffset() {
    SeededRuns.named("values.read", 0x4EAD_0L, RUNS).forEach((seed, run) -> {
      SplittableRandom rnd = new SplittableRandom(seed);
      List<Object> values = randomValues(rnd, rnd.nextInt(0, 12), true);
      Lib0Encoder out = new Lib0Encoder();
      values.forEach(out::writeAny);
      out.writeUint8(7); // something after the values
      byte[] bytes = out.toByteArray();
      Lib0Decoder expected = new Lib0Decoder(bytes);
      List<Object> read = new ArrayList<>();
      for (int i = 0; i < values.size(); i++) {
        read.add(expected.readAny());
      }
      Lib0Decoder actual = new Lib0Decoder(bytes);
      ContentAny content = ContentAny.read(actual, values.size());
      assertExactly("seed " + seed, content, read);
      assertThat(actual.offset()).as("offset after the values").isEqualTo(expected.offset());
    });
  }

  @Test
  void readAnyInt_readsOnlyIntegersThatReadAnyBoxesAsInteger() {
    for (Object v : EDGE_NUMBERS) {
      Lib0Encoder out = new Lib0Encoder();
      out.writeAny(v);
      byte[] bytes = out.toByteArray();
      Object any = new Lib0Decoder(bytes).readAny();
      Lib0Decoder d = new Lib0Decoder(bytes);
      long read = d.readAnyInt();
      if (any instanceof Integer i) {
        assertThat(read).as("%s", v).isEqualTo(i.longValue());
        assertThat(d.hasContent()).isFalse();
      } else {
        assertThat(read).as("%s", v).isEqualTo(Lib0Decoder.NOT_AN_INT);
        assertThat(d.offset()).isZero();
      }
    }
  }

  @Test
  void writeAnyIntAndDouble_writeWhatWriteAnyWrites() {
    for (Object v : EDGE_NUMBERS) {
      Lib0Encoder boxed = new Lib0Encoder();
      boxed.writeAny(v);
      Lib0Encoder primitive = new Lib0Encoder();
      if (v instanceof Integer i) {
        primitive.writeAnyInt(i);
      } else {
        primitive.writeAnyDouble((Double) v);
      }
      assertThat(primitive.toByteArray()).as("%s", v).isEqualTo(boxed.toByteArray());
    }
  }

  /** Contents and their models; each step splits, merges or copies one at random and checks them all. */
  private static final class Run {
    private final SplittableRandom rnd;
    private final List<ContentValues> contents = new ArrayList<>();
    private final List<List<Object>> models = new ArrayList<>();

    Run(SplittableRandom rnd) {
      this.rnd = rnd;
    }

    void execute() {
      for (int i = 0; i < 4; i++) {
        add();
      }
      for (int step = 0; step < 40; step++) {
        int dice = rnd.nextInt(10);
        int k = rnd.nextInt(contents.size());
        if (dice < 3) {
          add();
        } else if (dice < 6 && contents.get(k).length() > 1) {
          int offset = rnd.nextInt(1, contents.get(k).length());
          contents.add((ContentValues) contents.get(k).splice(offset));
          List<Object> model = models.get(k);
          models.add(new ArrayList<>(model.subList(offset, model.size())));
          model.subList(offset, model.size()).clear();
        } else if (dice < 9 && contents.size() > 1) {
          int j = rnd.nextInt(contents.size());
          if (j != k && contents.get(j).getClass() == contents.get(k).getClass()) {
            assertThat(contents.get(k).mergeWith(contents.get(j))).isTrue();
            models.get(k).addAll(models.get(j));
            contents.remove(j);
            models.remove(j);
          }
        } else {
          contents.add((ContentValues) contents.get(k).copy());
          models.add(new ArrayList<>(models.get(k)));
        }
        for (int i = 0; i < contents.size(); i++) {
          check("step " + step + ", content " + i, contents.get(i), models.get(i));
        }
      }
    }

    private void add() {
      boolean json = rnd.nextInt(5) == 0;
      List<Object> values = randomValues(rnd, rnd.nextInt(1, 10), !json);
      contents.add(json ? new ContentJson(values) : new ContentAny(values));
      models.add(new ArrayList<>(values));
    }

    private void check(String what, ContentValues content, List<Object> model) {
      assertExactly(what, content, model);
      int offset = rnd.nextInt(model.size() + 1);
      for (Function<ContentValues, UpdateEncoder> format : List.<Function<ContentValues, UpdateEncoder>>of(
          c -> new UpdateEncoderV1(), c -> new UpdateEncoderV2())) {
        UpdateEncoder actual = format.apply(content);
        content.write(actual, offset);
        UpdateEncoder expected = format.apply(content);
        expected.writeLen(model.size() - offset);
        for (Object v : model.subList(offset, model.size())) {
          content.writeValue(expected, v);
        }
        assertThat(actual.toByteArray()).as("%s: bytes from offset %d", what, offset)
            .isEqualTo(expected.toByteArray());
      }
    }
  }

  /** The content's values are the model's: equal, and of the same classes (Integer 1 is not Double 1.0). */
  private static void assertExactly(String what, ContentValues content, List<Object> model) {
    List<Object> actual = new ArrayList<>();
    content.collect(actual);
    assertThat(content.length()).as(what).isEqualTo(model.size());
    assertThat(actual.stream().map(ContentValuesPropertyTest::describe).toList()).as(what)
        .isEqualTo(model.stream().map(ContentValuesPropertyTest::describe).toList());
    for (int i = 0; i < model.size(); i++) {
      assertThat(describe(content.get(i))).as("%s: get(%d)", what, i).isEqualTo(describe(model.get(i)));
    }
  }

  /** A value with its class, doubles by their bits (-0 differs from 0); lists and maps element by element. */
  static String describe(Object v) {
    if (v instanceof Double d) {
      return "Double " + Long.toHexString(Double.doubleToLongBits(d));
    }
    if (v instanceof byte[] b) {
      return "byte[] " + Arrays.toString(b);
    }
    if (v instanceof List<?> list) {
      return list.stream().map(ContentValuesPropertyTest::describe).toList().toString();
    }
    if (v instanceof Map<?, ?> map) {
      StringBuilder sb = new StringBuilder("{");
      map.forEach((k, x) -> sb.append(k).append('=').append(describe(x)).append(';'));
      return sb.append('}').toString();
    }
    return v == null ? "null" : v.getClass().getSimpleName() + " " + v;
  }

  /**
   * Values as they reach a content: mostly runs of numbers, normalized as a replica inserts them or as they are
   * decoded, with now and then something else ({@code any} values only where lib0's {@code any} holds them).
   */
  private static List<Object> randomValues(SplittableRandom rnd, int n, boolean any) {
    int kind = rnd.nextInt(4); // mostly ints, mostly doubles, numbers of both, anything
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int dice = rnd.nextInt(100);
      Object v;
      if (kind == 3 && dice < 30) {
        v = switch (rnd.nextInt(any ? 7 : 5)) {
          case 0 -> "s" + rnd.nextInt(10);
          case 1 -> null;
          case 2 -> rnd.nextBoolean();
          case 3 -> List.of(1, "x");
          case 4 -> Map.of("k", 2.5);
          case 5 -> BigInteger.valueOf(rnd.nextLong());
          default -> Undefined.INSTANCE;
        };
      } else if (dice < 20) {
        v = EDGE_NUMBERS.get(rnd.nextInt(EDGE_NUMBERS.size()));
      } else if (kind == 0 || kind == 2 && dice < 60) {
        v = rnd.nextInt();
      } else {
        v = rnd.nextBoolean() ? rnd.nextInt(-1000, 1000) / 8.0 : rnd.nextDouble() * 1e6;
      }
      if (rnd.nextInt(8) == 0 && v instanceof Number) {
        v = roundTrip(v); // as decoded: Integer.MIN_VALUE becomes a Double (a float32), for one
      } else if (!(v instanceof BigInteger) && v != Undefined.INSTANCE) {
        v = Values.checkJson(v);
      }
      out.add(v);
    }
    if (rnd.nextInt(10) == 0) {
      out.add(roundTrip(Long.valueOf(1L << 40))); // only a foreign encoder writes such a varint: read as a Long
    }
    if (rnd.nextInt(10) == 0) {
      out.add(rnd.nextInt(out.size() + 1), float64(3.0)); // an integer as a float64 (Yjs would write a varint)
    }
    return out;
  }

  /** {@code d} written as a float64 and read back (a Double, whatever its value). */
  private static Object float64(double d) {
    Lib0Encoder out = new Lib0Encoder();
    out.writeUint8(123);
    out.writeFloat64(d);
    return new Lib0Decoder(out.toByteArray()).readAny();
  }

  /** {@code v} as lib0 writes it and reads it back (a {@code Long} as a varint, as only foreign encoders write it). */
  static Object roundTrip(Object v) {
    Lib0Encoder out = new Lib0Encoder();
    if (v instanceof Long l) {
      out.writeUint8(125);
      out.writeVarInt(l);
    } else {
      out.writeAny(v);
    }
    return new Lib0Decoder(out.toByteArray()).readAny();
  }
}
