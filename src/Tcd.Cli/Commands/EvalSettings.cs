namespace Tcd.Cli.Commands;

/// <summary>What <c>tcd eval</c> was asked to do.</summary>
/// <param name="Model">The model folder.</param>
/// <param name="Corpus">Text files to score.</param>
/// <param name="SequenceLength">Tokens per segment.</param>
/// <param name="BatchSize">Segments per forward pass.</param>
/// <param name="MaxSegments">Cap on scored segments.</param>
/// <param name="MaskSeed">Seed of the masks (keep it fixed to compare models).</param>
/// <param name="Device">cpu, cuda, cuda:N or auto.</param>
/// <param name="Threads">libtorch CPU threads, or null for libtorch's choice.</param>
/// <param name="Output">Optional JSON result file.</param>
internal sealed record EvalSettings(
    string Model, IReadOnlyList<string> Corpus, int SequenceLength, int BatchSize, int MaxSegments, long MaskSeed, string Device, int? Threads, string? Output);
