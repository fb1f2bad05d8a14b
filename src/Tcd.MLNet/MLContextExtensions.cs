using Microsoft.ML;

namespace Tcd.MLNet;

/// <summary>The entry point of Tcd.MLNet: <c>mlContext.Tcd()</c>.</summary>
public static class MLContextExtensions
{
    /// <summary>
    /// The catalog of MoE-BERT pre-training, transfer capability distillation, fine-tuning and model files,
    /// e.g. <c>mlContext.Tcd().PretrainTeacher(...)</c>.
    /// </summary>
    public static TcdCatalog Tcd(this MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        return new TcdCatalog(mlContext);
    }
}
