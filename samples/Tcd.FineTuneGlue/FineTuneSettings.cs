namespace Tcd.FineTuneGlue;

/// <summary>Everything the sample can be told on its command line.</summary>
internal sealed record FineTuneSettings
{
    public required string? Model { get; init; }
    public required string GlueDirectory { get; init; }
    public required string Task { get; init; }
    public required int Adapters { get; init; }
    public required int Epochs { get; init; }
    public required double? LearningRate { get; init; }
    public required int BatchSize { get; init; }
    public required int MaxSequenceLength { get; init; }
    public required int MaxTrainExamples { get; init; }
    public required string Corpus { get; init; }
    public required long PretrainSteps { get; init; }
    public required string Output { get; init; }
    public required string Device { get; init; }
    public required int? Threads { get; init; }
    public required long Seed { get; init; }
}
