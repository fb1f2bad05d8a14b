using System.Text.Json.Serialization;

namespace Tcd.Experiments.Glue;

/// <summary>The stored outcome of one grid cell (one JSON file under <c>&lt;out&gt;/cells</c>).</summary>
/// <param name="Key">Which cell.</param>
/// <param name="Settings">The suite settings it was trained with.</param>
/// <param name="Scores">Dev score in percent per result column (<c>"MRPC"</c>; MNLI: <c>"MNLI-m"</c>, <c>"MNLI-mm"</c>).</param>
/// <param name="Metrics">Each official metric in percent per result column, keyed by metric name.</param>
/// <param name="BestEpoch">1-based epoch whose weights were kept (best dev score of the first column).</param>
/// <param name="EpochScores">Dev score of the first column after each epoch.</param>
/// <param name="EpochLosses">Mean training loss of each epoch.</param>
/// <param name="TrainExamples">Training examples used.</param>
/// <param name="Seconds">Wall time of the cell.</param>
/// <param name="ModelFingerprint">
/// <c>BertModelStore.Fingerprint</c> of the pre-trained model the cell started from; a model trained again under the
/// same name has another, so its stored cells are trained again. Null in cells stored before fingerprints existed.
/// </param>
/// <param name="DataFingerprint">
/// The fingerprint of the task's training and dev examples the cell was trained and scored on; other GLUE files give
/// another, so the cell is trained again. Null in cells stored before data fingerprints existed.
/// </param>
/// <param name="OneAnswers">
/// Per result column whose dev predictions were all one answer, that answer as <see cref="GlueOneAnswer.Describe(Tcd.Models.Data.Glue.GlueTask, IReadOnlyList{float[]})"/>
/// words it (e.g. <c>"RTE": "the class 'entailment'"</c>); kept with the cell, so a resumed suite still notes it in its
/// table. Empty when every column's predictions differ; null in cells stored before it was recorded, which are not noted.
/// </param>
public sealed record GlueCellResult(
    GlueCellKey Key,
    GlueCellSettings Settings,
    IReadOnlyDictionary<string, double> Scores,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Metrics,
    int BestEpoch,
    IReadOnlyList<double> EpochScores,
    IReadOnlyList<double> EpochLosses,
    int TrainExamples,
    double Seconds,
    string? ModelFingerprint = null,
    string? DataFingerprint = null,
    IReadOnlyDictionary<string, string>? OneAnswers = null)
{
    /// <summary>The cell's single score: the mean of <see cref="Scores"/> (MNLI: of MNLI-m and MNLI-mm), used for selection.</summary>
    [JsonIgnore]
    public double Score => Scores.Values.Average();
}
