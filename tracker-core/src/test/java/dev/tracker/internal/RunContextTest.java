package dev.tracker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RunContextTest {
  @Test
  void sourceNameIsTheMainClassWithoutArguments() {
    assertThat(RunContext.sourceName("com.example.Train --token abc")).isEqualTo("com.example.Train");
  }

  @Test
  void sourceNameOfAJarIsItsFileName() {
    assertThat(RunContext.sourceName("/opt/app/lib/train-1.0.jar --lr 0.1"))
        .isEqualTo("train-1.0.jar");
  }

  @Test
  void sourceNameIsAbsentWhenUnknown() {
    assertThat(RunContext.sourceName(null)).isNull();
    assertThat(RunContext.sourceName(" ")).isNull();
  }
}
