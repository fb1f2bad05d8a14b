namespace Tcd.FeatureExtraction;

/// <summary>One SST-2 sentence with its sentiment (true: positive).</summary>
internal sealed class SentimentRow
{
    public string Text { get; set; } = string.Empty;

    public bool Label { get; set; }
}
