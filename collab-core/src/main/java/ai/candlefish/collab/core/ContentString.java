package ai.candlefish.collab.core;

import java.util.List;

/**
 * Text. Characters typed in sequence end up in one item, so merging appends in place (a {@link StringBuilder},
 * compact Latin-1 storage for ASCII) instead of copying the whole string at each keystroke. Until an item first
 * grows, its text is the {@link String} it was made from (inserted or decoded), not a copy of it: most items never
 * grow, and copying a long pasted or loaded string into a builder was a tenth of inserting it.
 */
final class ContentString extends Content {
  /** A {@link String} until the first merge, then a {@link StringBuilder}. */
  private CharSequence str;

  ContentString(String s) {
    this.str = s;
  }

  private ContentString(StringBuilder sb) {
    this.str = sb;
  }

  String string() {
    return str.toString();
  }

  CharSequence chars() {
    return str;
  }

  void appendTo(StringBuilder sb) {
    if (str instanceof String s) {
      sb.append(s);
    } else {
      sb.append((StringBuilder) str);
    }
  }

  @Override
  int length() {
    return str.length();
  }

  @Override
  boolean isCountable() {
    return true;
  }

  @Override
  void collect(List<Object> out) {
    for (int i = 0; i < str.length(); i++) {
      out.add(String.valueOf(str.charAt(i)));
    }
  }

  @Override
  Content copy() {
    return str instanceof String plain ? new ContentString(plain) : new ContentString(new StringBuilder(str));
  }

  /** A split leaves the left part up to this many chars of spare room rather than copying it once more. */
  private static final int SPARE_ROOM = 8;

  @Override
  Content splice(int offset) {
    // Yjs never lets a split separate a surrogate pair: both halves become U+FFFD, exactly as Yjs does it.
    boolean splitsPair = offset > 0 && Character.isHighSurrogate(str.charAt(offset - 1));
    if (str instanceof String plain) {
      String left = plain.substring(0, offset);
      String right = plain.substring(offset);
      if (splitsPair) {
        left = left.substring(0, offset - 1) + '\uFFFD';
        right = '\uFFFD' + right.substring(1);
      }
      str = left;
      return new ContentString(right);
    }
    StringBuilder chars = (StringBuilder) str;
    // The right part as a String: one bulk copy (appending a StringBuilder's range to another copies char by char),
    // and a split-off right part seldom grows.
    String right = chars.substring(offset);
    chars.setLength(offset);
    if (splitsPair) {
      chars.setCharAt(offset - 1, '\uFFFD');
      right = '\uFFFD' + right.substring(1);
    }
    if (chars.capacity() - offset > SPARE_ROOM) {
      chars.trimToSize();
    }
    return new ContentString(right);
  }

  @Override
  boolean mergeWith(Content right) {
    CharSequence appended = ((ContentString) right).str;
    StringBuilder chars;
    if (str instanceof String plain) {
      // The first growth, sized as an exactly sized StringBuilder grows (twice its length and two).
      chars = new StringBuilder(Math.max(plain.length() + appended.length(), 2 * plain.length() + 2)).append(plain);
      str = chars;
    } else {
      chars = (StringBuilder) str;
    }
    if (appended instanceof String plain) {
      chars.append(plain);
    } else {
      chars.append((StringBuilder) appended);
    }
    return true;
  }

  @Override
  void write(UpdateEncoder encoder, int offset) {
    encoder.writeString(str, offset);
  }

  @Override
  int ref() {
    return STRING;
  }
}
