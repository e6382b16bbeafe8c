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
  /**
   * Whether every char of {@link #str} is known to be ASCII (false: not known), as a decoded string is when its
   * UTF-8 had a byte per char. Such a string is written as its bytes ({@link UpdateEncoder#writeAsciiString}), with
   * no check: a document that received a long text encodes it again for its own update and for every sync.
   */
  private boolean ascii;

  ContentString(String s) {
    this.str = s;
  }

  ContentString(String s, boolean ascii) {
    this.str = s;
    this.ascii = ascii;
  }

  private ContentString(StringBuilder sb, boolean ascii) {
    this.str = sb;
    this.ascii = ascii;
  }

  /** Whether every char is known to be ASCII, for tests. */
  boolean knownAscii() {
    return ascii;
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
    return str instanceof String plain ? new ContentString(plain, ascii)
        : new ContentString(new StringBuilder(str), ascii);
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
      return new ContentString(right, ascii); // (an ASCII string has no surrogate pair to split)
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
    return new ContentString(right, ascii);
  }

  @Override
  boolean mergeWith(Content right) {
    ContentString other = (ContentString) right;
    CharSequence appended = other.str;
    ascii &= other.ascii;
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
    if (ascii && str instanceof String s) {
      if (SearchMarkers.crossCheck && !s.chars().allMatch(c -> c < 0x80)) {
        throw new IllegalStateException("a string marked ASCII is not: " + s);
      }
      encoder.writeAsciiString(s, offset);
    } else {
      encoder.writeString(str, offset);
    }
  }

  @Override
  int ref() {
    return STRING;
  }
}
