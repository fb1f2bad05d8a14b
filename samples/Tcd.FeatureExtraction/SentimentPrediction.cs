namespace Tcd.FeatureExtraction;

/// <summary>What the PredictionEngine returns for one sentence.</summary>
internal sealed class SentimentPrediction
{
    public bool PredictedLabel { get; set; }

    public float Probability { get; set; }
}
