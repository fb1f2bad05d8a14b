namespace Tcd.FineTuneGlue;

/// <summary>One GLUE example as an ML.NET row: the text (pair), the label's name for classification, the score for regression.</summary>
internal sealed class GlueRow
{
    public string Text { get; set; } = string.Empty;

    public string Pair { get; set; } = string.Empty;

    public string LabelName { get; set; } = string.Empty;

    public float Target { get; set; }
}
