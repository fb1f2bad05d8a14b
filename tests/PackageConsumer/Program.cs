using Microsoft.ML;
using Tcd.Models.Data;
using Tcd.Models.Modeling;
using Tcd.Models.Runtime;
using TorchSharp;

// Proves the packages are complete: ML.NET, the embedded vocabulary and a TorchSharp forward pass all resolve.
TorchRuntime.EnsureAvailable();
_ = new MLContext(seed: 1);
var encoded = BertTextEncoder.CreateUncased().Encode("hello world", null, 16);
Console.WriteLine($"ids: {string.Join(' ', encoded.InputIds)}");

torch.manual_seed(1);
using var model = new BertForMaskedLm(BertConfig.Tiny);
model.eval();
using var scope = torch.NewDisposeScope();
var ids = torch.tensor(encoded.InputIds.Select(id => (long)id).ToArray()).unsqueeze(0);
var output = model.forward(ids, null, null, EncoderTaps.None, null);
var shape = string.Join('x', output.Logits.shape);
if (shape != $"1x{encoded.InputIds.Length}x{BertConfig.Tiny.VocabSize}")
{
    Console.Error.WriteLine($"unexpected logits shape {shape}");
    return 1;
}

Console.WriteLine($"logits: {shape}");
return 0;
