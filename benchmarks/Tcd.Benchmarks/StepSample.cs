namespace Tcd.Benchmarks;

/// <summary>One measured pre-training step: the Pretrainer's own tokens/s (wall clock) and tokens per CPU-second of this process.</summary>
internal readonly record struct StepSample(double TokensPerSecond, double TokensPerCpuSecond);
