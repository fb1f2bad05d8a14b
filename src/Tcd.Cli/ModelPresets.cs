using Tcd.Models.Modeling;

namespace Tcd.Cli;

/// <summary>The model shapes selectable with <c>--preset</c>.</summary>
internal static class ModelPresets
{
    public const string Tiny = "tiny";
    public const string PaperSmall = "paper-small";
    public const string PaperLarge = "paper-large";

    public static readonly string[] Names = [Tiny, PaperSmall, PaperLarge];

    public const string Help =
        "Model shape: 'tiny' (L=2, H=64, smoke runs), 'paper-small' (L=12, H=128, A=2, the paper's small model) or " +
        "'paper-large' (BERT-base: L=12, H=768, A=12).";

    /// <summary>The preset's configuration, widened to <paramref name="sequenceLength"/> positions when needed.</summary>
    /// <param name="name">The preset's name. The parser checks one on the command line, but one from the <c>--config</c> file reaches here unchecked.</param>
    /// <param name="sequenceLength">The positions the model needs.</param>
    /// <param name="option">The option that named the preset (<c>--preset</c>, <c>--target-preset</c>), for the message.</param>
    /// <exception cref="CliUsageException"><paramref name="name"/> is no preset.</exception>
    public static BertConfig Get(string name, int sequenceLength, string option)
    {
        var preset = name.ToLowerInvariant() switch
        {
            Tiny => BertConfig.Tiny,
            PaperSmall => BertConfig.PaperSmall,
            PaperLarge => BertConfig.PaperLarge,
            _ => throw new CliUsageException($"{option}: '{name}' is not one of {string.Join(", ", Names)}."),
        };
        return WithPositions(preset, sequenceLength);
    }

    /// <summary>The most positions a new model gets: BERT's 512. Attention's memory grows with the square of the length.</summary>
    public const int MaxPositions = 512;

    /// <summary>A configuration with at least <paramref name="sequenceLength"/> positions, at most <see cref="MaxPositions"/>.</summary>
    public static BertConfig WithPositions(BertConfig config, int sequenceLength) => sequenceLength <= MaxPositions
        ? config with { MaxPositions = Math.Max(config.MaxPositions, sequenceLength) }
        : throw new CliUsageException($"--seq-length {sequenceLength} is longer than BERT's {MaxPositions} positions; use --seq-length {MaxPositions} or less.");
}
