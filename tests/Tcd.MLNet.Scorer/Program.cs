using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Tcd.MLNet;

// Usage: Tcd.MLNet.Scorer <model.zip> <rows.tsv> <scores.txt>
// Loads the model with mlContext.Tcd().LoadModel, as a serving process would, reads rows.tsv (a header row, then one
// row per example, tab-separated, in the columns of the model's saved input schema that it has) and writes one line per
// row: the components of its Score column in round-trip format, tab-separated.
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: Tcd.MLNet.Scorer <model.zip> <rows.tsv> <scores.txt>");
    return 2;
}

var (modelPath, rowsPath, scoresPath) = (args[0], args[1], args[2]);
var mlContext = new MLContext();
var model = mlContext.Tcd().LoadModel(modelPath, out var inputSchema);
var header = File.ReadLines(rowsPath).First().Split('\t');
var columns = header.Select((name, index) => new TextLoader.Column(name, KindOf(inputSchema[name].Type, name), index)).ToArray();
var rows = mlContext.Data.CreateTextLoader(columns, separatorChar: '\t', hasHeader: true).Load(rowsPath);
var scored = model.Transform(rows);
var score = scored.Schema["Score"];
var lines = score.Type is VectorDataViewType
    ? scored.GetColumn<float[]>(score).Select(Format)
    : scored.GetColumn<float>(score).Select(value => Format([value]));
File.WriteAllLines(scoresPath, lines);
return 0;

static string Format(float[] values) => string.Join('\t', values.Select(value => value.ToString("R", CultureInfo.InvariantCulture)));

static DataKind KindOf(DataViewType type, string name) => type switch
{
    TextDataViewType => DataKind.String,
    BooleanDataViewType => DataKind.Boolean,
    NumberDataViewType number when number.RawType == typeof(float) => DataKind.Single,
    _ => throw new NotSupportedException($"Column '{name}' is of type {type}; the scorer reads text, Boolean and Single columns."),
};
