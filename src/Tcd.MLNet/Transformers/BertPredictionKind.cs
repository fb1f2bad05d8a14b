namespace Tcd.MLNet.Transformers;

/// <summary>What a <see cref="FineTunedBertTransformer"/> predicts, decided at fit time by the task and the label column's type.</summary>
public enum BertPredictionKind
{
    /// <summary>
    /// Boolean label. Outputs <c>Score</c> (float, logit margin), <c>Probability</c> (float) and <c>PredictedLabel</c> (bool),
    /// as ML.NET's binary trainers do.
    /// </summary>
    BinaryClassification,

    /// <summary>
    /// Key-typed label. Outputs <c>Score</c> (vector of class probabilities) and <c>PredictedLabel</c> (the label's key type,
    /// with its key values), as ML.NET's multiclass trainers do.
    /// </summary>
    MulticlassClassification,

    /// <summary>Float label. Outputs <c>Score</c> (float).</summary>
    Regression,
}
