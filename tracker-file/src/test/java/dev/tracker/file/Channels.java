package dev.tracker.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/** Channels for tests that watch or break the file backend's writes. */
final class Channels {
  private Channels() {}

  /** A write, given the real channel. */
  interface Write {
    int write(WritableByteChannel channel, ByteBuffer src) throws IOException;
  }

  /** {@code channel}, with each write done by {@code write}. */
  static WritableByteChannel writingWith(WritableByteChannel channel, Write write) {
    return new WritableByteChannel() {
      @Override
      public int write(ByteBuffer src) throws IOException {
        return write.write(channel, src);
      }

      @Override
      public boolean isOpen() {
        return channel.isOpen();
      }

      @Override
      public void close() throws IOException {
        channel.close();
      }
    };
  }
}
