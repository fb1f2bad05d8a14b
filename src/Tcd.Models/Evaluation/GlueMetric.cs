namespace Tcd.Models.Evaluation;

/// <summary>The official metrics of the GLUE tasks.</summary>
public enum GlueMetric
{
    /// <summary>Fraction of predictions equal to the label (SST-2, MNLI, QNLI, RTE; with F1 for MRPC and QQP).</summary>
    Accuracy,

    /// <summary>F1 of the positive class 1 (MRPC and QQP, averaged with accuracy).</summary>
    F1,

    /// <summary>Matthews correlation coefficient (CoLA).</summary>
    MatthewsCorrelation,

    /// <summary>Pearson correlation of predicted and gold scores (STS-B, averaged with Spearman).</summary>
    PearsonCorrelation,

    /// <summary>Spearman rank correlation, ties given their average rank (STS-B, averaged with Pearson).</summary>
    SpearmanCorrelation,
}
