package dev.tracker.internal.delivery;

import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Run in another JVM: locks a file, prints "locked", and holds it until its input ends. */
final class HoldLockProbe {
  private HoldLockProbe() {}

  public static void main(String[] args) throws Exception {
    try (FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE); var lock = ch.lock()) {
      System.out.print("locked");
      System.out.flush();
      while (System.in.read() >= 0) {
        // held until the test closes our input
      }
    }
  }
}
