"""TODO prefect"""
