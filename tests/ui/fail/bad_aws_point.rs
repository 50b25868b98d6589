use chaos::chaos;

fn main() {
    // Each AWS key's value is checked where it is written, with the right spelling when close.
    let _ = chaos::point!(name = "store", aws_error = "throttled");
    let _ = chaos::point!(name = "store", aws_service = "DynamoDB", aws_error = "throttling");
    let _ = chaos::point!(name = "store", aws_service = "dynamo", aws_error = "throttling");
    let _ = chaos::point!(name = "store", aws_operations = ["put_item"], aws_error = "throttling");
    let _ = chaos::point!(name = "store", aws_operations = [], aws_error = "throttling");
    let _ = chaos::point!(name = "store", aws_region = "US-EAST-1", aws_error = "throttling");
    // One outcome per point.
    let _ = chaos::point!(name = "store", aws_error = "throttling", status = 503);
    // A selection alone injects nothing.
    let _ = chaos::point!(name = "store", aws_service = "dynamodb");
}

// A function makes no SDK call of its own: the AWS keys belong to a point given to the client.
#[chaos(aws_error = "throttling", aws_service = "dynamodb")]
fn put_item() {}
