namespace Tcd.Quickstart;

/// <summary>Everything the quickstart can be told on its command line.</summary>
internal sealed record QuickstartSettings
{
    public required string Preset { get; init; }
    public required long PretrainSteps { get; init; }
    public required int BatchSize { get; init; }
    public required int SequenceLength { get; init; }
    public required int Experts { get; init; }
    public required double LearningRate { get; init; }
    public required int FineTuneEpochs { get; init; }
    public required double FineTuneLearningRate { get; init; }
    public required int? MaxTrainExamples { get; init; }
    public required string Corpus { get; init; }
    public required string GlueDirectory { get; init; }
    public required string OutputDirectory { get; init; }
    public required string Device { get; init; }
    public required int Threads { get; init; }
    public required long Seed { get; init; }
}
