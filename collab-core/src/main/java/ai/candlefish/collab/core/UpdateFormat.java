package ai.candlefish.collab.core;

import ai.candlefish.collab.core.internal.codec.Lib0Decoder;

/** Yjs's two update formats, as factories of their encoder and decoder. */
enum UpdateFormat {
  V1 {
    @Override
    UpdateEncoder newEncoder() {
      return new UpdateEncoderV1();
    }

    @Override
    UpdateDecoder newDecoder(Lib0Decoder in) {
      return new UpdateDecoderV1(in);
    }
  },
  V2 {
    @Override
    UpdateEncoder newEncoder() {
      return new UpdateEncoderV2();
    }

    @Override
    UpdateDecoder newDecoder(Lib0Decoder in) {
      return new UpdateDecoderV2(in);
    }
  };

  abstract UpdateEncoder newEncoder();

  /** A decoder of the update {@code in} holds; v2 reads its header here. @throws DecodingException if it is malformed */
  abstract UpdateDecoder newDecoder(Lib0Decoder in);
}
