namespace Tcd.MLNet.Estimators;

/// <summary>What a fine-tuned model predicts.</summary>
public enum BertTask
{
    /// <summary>
    /// Classes. The label column is Boolean (binary classification) or a key type (multiclass; convert text or
    /// numeric labels with <c>mlContext.Transforms.Conversion.MapValueToKey</c> first).
    /// </summary>
    Classification,

    /// <summary>A score (e.g. STS-B similarity). The label column is Single (float).</summary>
    Regression,
}
