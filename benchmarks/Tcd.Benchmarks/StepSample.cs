namespace Tcd.Benchmarks;

/// <summary>
/// One measured pre-training step: the round it ran in, the Pretrainer's own tokens/s (wall clock) and tokens per
/// CPU-second of this process, and the page faults the step took (null where they cannot be counted).
/// </summary>
internal readonly record struct StepSample(int Round, double TokensPerSecond, double TokensPerCpuSecond, long? PageFaults);
